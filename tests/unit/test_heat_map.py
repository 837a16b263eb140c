"""The labelled heat map keeps every label inside the picture and prints every number."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from audit.reports import heat_maps

SVG = "{http://www.w3.org/2000/svg}"


def test_labels_fit_the_picture_and_numbers_are_printed():
    rows = ["LTG-12 Volta Daugavpils Cietokšņa iela", "KNS-02"]
    columns = ["Прощание и послепродажное обслуживание", "Speed", "Return or complaint <&>"]
    root = ET.fromstring(str(heat_maps.labelled_heat_map(rows, columns, [[12.4, None, 99.6], [50.0, 0.0, 100.0]])))
    width = float(root.get("viewBox").split()[2])
    texts = list(root.iter(f"{SVG}text"))
    assert {"12", "–", "100", "50", "0"} <= {t.text for t in texts}
    assert "LTG-12 Volta Daugavpils Cietokšņa iela" in {t.text for t in texts}  # whole, not cut
    assert "<&>" in "".join(t.text for t in texts)  # escaped in the SVG, readable after parsing
    label = next(t for t in texts if t.text == rows[0])
    assert float(label.get("x")) >= heat_maps.text_width(rows[0])  # room to the left for the right-aligned label
    heads = [t for t in texts if t.get("font-size")]
    assert all(float(t.get("x")) < width for t in heads)
    assert min(float(t.get("font-size")) for t in heads) < 10  # the long Russian word gets a smaller font


def test_a_label_of_wide_letters_is_not_cut_at_the_left_edge():
    """"VLN-01 Grožio namai Gedimino" printed as "/LN-01 …" in the chain PDF: the per-letter
    estimate of its width was 7 px short of what DejaVu Sans draws."""
    from PIL import ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 11)
    for row in ("VLN-01 Grožio namai Gedimino", "MMM-01 Wmmw Mmmwm", "ВЛН-01 Гедиминас Щжюшщ"):
        root = ET.fromstring(str(heat_maps.labelled_heat_map([row, "KNS-02"], ["Speed"], [[50.0], [60.0]])))
        label = next(t for t in root.iter(f"{SVG}text") if t.text == row)
        assert float(label.get("x")) - font.getlength(row) >= 2, row  # drawn right-aligned at x


def test_maps_shown_together_can_share_their_label_column():
    px = heat_maps.heat_label_px(["A much longer branch label", "Riga"])
    a = ET.fromstring(str(heat_maps.labelled_heat_map(["Riga"], ["x"], [[1.0]], label_px=px)))
    b = ET.fromstring(str(heat_maps.labelled_heat_map(["A much longer branch label"], ["x"], [[1.0]], label_px=px)))
    assert a.get("viewBox").split()[2] == b.get("viewBox").split()[2]
    long = ET.fromstring(str(heat_maps.labelled_heat_map(["x" * 60], ["x"], [[1.0]], chars=20)))
    assert "x" * 19 + "…" in {t.text for t in long.iter(f"{SVG}text")}


def test_long_section_titles_keep_every_word_in_three_lines():
    """"Atsisveikinimas ir aptarnavimas po pardavimo" lost "po pardavimo" to a "…" (lines of 12)."""
    titles = ["Atsisveikinimas ir aptarnavimas po pardavimo", "Preču pārzināšana un konsultācija", "Speed"]
    root = ET.fromstring(str(heat_maps.labelled_heat_map(["VLN-01"], titles, [[70.0, 80.0, 90.0]])))
    width = float(root.get("viewBox").split()[2])
    heads = [t for t in root.iter(f"{SVG}text") if t.get("font-size")]
    assert " ".join(t.text for t in heads) == " ".join(titles)
    assert max(len(h.text) for h in heads) <= 15 and len(heads) == 3 + 3 + 1
    cells = [(float(r.get("x")), float(r.get("x")) + float(r.get("width"))) for r in root.iter(f"{SVG}rect")]
    for head in heads:  # each line inside its own column at its font size
        half = heat_maps.text_width(head.text) * float(head.get("font-size")) / 11 / 2
        x = float(head.get("x"))
        assert any(start <= x - half and x + half <= end + 2 for start, end in cells) and x + half < width
    huge = heat_maps.labelled_heat_map(["VLN-01"], ["word " * 30], [[1.0]])
    assert "…" in str(huge)


def test_every_cell_number_stands_out_from_its_colour():
    """WCAG AA for text (4.5:1) on every shade of the scale; white on mid-green was 2.6:1."""
    from audit.reports.heat_maps import contrast, text_colour, viridis

    worst = min(contrast(viridis(t / 100), text_colour(viridis(t / 100))) for t in range(101))
    assert worst >= 4.5, worst


def _headings(svg) -> list[tuple[str, float]]:
    root = ET.fromstring(str(svg))
    return [(t.text, float(t.get("font-size"))) for t in root.iter(f"{SVG}text") if t.get("font-size")]


def test_a_word_wider_than_its_column_is_broken_in_the_pages_language():
    """"Sasveicināšanās un attieksme" (the store checklist in Latvian) was set in 8.5 px, its first
    word kept whole; "Pasisveikinimas ir požiūris" (Lithuanian) in 8.9 px."""
    for language, title, broken in (("lv", "Sasveicināšanās un attieksme", "Sasveicināša-"),
                                    ("lt", "Pasisveikinimas ir požiūris", "Pasisveikini-")):
        heads = _headings(heat_maps.labelled_heat_map(["VLN-01"], [title, "Speed"], [[70.0, 80.0]],
                                                      language=language))
        lines = [text for text, _ in heads[:-1]]
        assert broken in lines and lines[-1] == title.split()[-1]
        assert "".join(line[:-1] if line.endswith("-") else line + " " for line in lines).strip() == title
        assert min(size for _, size in heads) == 10.0
        whole = _headings(heat_maps.labelled_heat_map(["VLN-01"], [title], [[70.0]]))  # no language: no hyphen
        assert not any(text.endswith("-") for text, _ in whole) and max(size for _, size in whole) < 9


def test_the_russian_farewell_heading_is_legible_on_four_lines():
    """"Прощание и послепродажное обслуживание" was set in 7.7 px on three lines."""
    title = "Прощание и послепродажное обслуживание"
    heads = _headings(heat_maps.labelled_heat_map(["VLN-01"], [title], [[70.0]], language="ru"))
    lines = [text for text, _ in heads]
    assert len(lines) == 4 and sum(line.endswith("-") for line in lines) == 1
    assert "".join(line[:-1] if line.endswith("-") else line + " " for line in lines).strip() == title
    assert min(size for _, size in heads) >= 9


def test_words_stay_whole_while_the_heading_stays_legible():
    """A hyphen only where whole words would go below 9 px: "Скорость обслуживания" is 9.1 px whole."""
    for language, title in (("en", "Understanding your question"), ("ru", "Скорость обслуживания"),
                            ("ru", "Информация и консультация"), ("lv", "Atvadas un pēcpārdošanas serviss")):
        heads = _headings(heat_maps.labelled_heat_map(["VLN-01"], [title], [[70.0]], language=language))
        assert " ".join(text for text, _ in heads) == title, (language, heads)
        assert all(size >= 9 for _, size in heads)
