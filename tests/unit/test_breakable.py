"""Long unbroken values get break points in table cells; ordinary words and escaping stay intact."""
from __future__ import annotations

from audit.web.text import breakable


def test_only_long_words_get_break_points_and_text_stays_escaped():
    assert str(breakable("Volta Vilniaus gatvė")) == "Volta Vilniaus gatvė"
    assert str(breakable("Apsilankymas parduotuvėje")) == "Apsilankymas parduotuvėje"  # 12 letters: whole
    long = "Pirkimas-su-labai-ilgu-scenarijumi"
    assert str(breakable(long)) == "Pirkimas-su-<wbr>labai-ilgu-s<wbr>cenarijumi"
    assert str(breakable('=HYPERLINK("http://x")<script>')).count("<script>") == 0
    assert "&lt;script&gt;" in str(breakable("<script>alert(1)</script>" * 2))
    assert str(breakable(None)) == "" and str(breakable("  a  b ")) == "  a  b "


def test_a_short_address_may_break_after_its_at_sign_only():
    assert str(breakable("Аудитор · wolfeschlegel@x.lv")) == "Аудитор · wolfeschlegel@<wbr>x.lv"
    assert str(breakable("@ a@ @b")) == "@ a@ @b"  # no address: no break point
    assert str(breakable("<b>@x.lv")) == "&lt;b&gt;@<wbr>x.lv"


def test_a_long_address_breaks_after_its_at_sign_and_before_its_dots_not_every_few_characters():
    assert str(breakable("Auditor · aleksandra.jankauskiene@slaptasis.pirkejas.example.lt")) == (
        "Auditor · aleksandra<wbr>.jankauskiene@<wbr>slaptasis<wbr>.pirkejas<wbr>.example<wbr>.lt")
    assert str(breakable("(ilze.kalnina@example.lv).")) == "(ilze<wbr>.kalnina@<wbr>example<wbr>.lv)."
    assert str(breakable("jonas.o'brien+<b>@example.lt")) == "jonas<wbr>.o&#39;brien+&lt;b&gt;@<wbr>example<wbr>.lt"
    # A run without a dot longer than any word is still cut, or it would widen its column.
    assert str(breakable("wolfeschlegelsteinhausenbergerdorff@x.lv")) == (
        "wolfeschlege<wbr>lsteinhausen<wbr>bergerdorff@<wbr>x<wbr>.lv")


def test_other_long_words_with_an_at_sign_keep_their_pieces():
    assert str(breakable("https://mastodon.example/@someone.who.posts")) == (
        "https://mast<wbr>odon.example<wbr>/@someone.wh<wbr>o.posts")
    assert str(breakable("kodas@@@@@@@@@@@@@@@@@@@")) == "kodas@@@@@@@<wbr>@@@@@@@@@@@@"
