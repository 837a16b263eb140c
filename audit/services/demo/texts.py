"""What demo auditors type, in their own language: comments on failed items, free-text
answers and who served them. A Lithuanian auditor writes Lithuanian, a Latvian one Latvian,
a Russian-speaking one Russian, as in a real Baltic chain, so reports and exports show
mixed-language evidence in every interface language.

Every language has the same number of entries in the same order as the English tables in
:mod:`.data`: a pick draws the same random number whatever the language, so the demo stays
the same chain (same scores, same visits) for a given seed.
"""
from __future__ import annotations

from typing import NamedTuple

from . import data


class AuditorTexts(NamedTuple):
    fail_comments: dict[str, tuple[str, ...]]
    generic_fail_comment: tuple[str, ...]
    text_comments: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]]
    generic_text_comments: tuple[tuple[str, ...], tuple[str, ...]]
    staff_descriptions: tuple[str, ...]


ENGLISH = AuditorTexts(data.FAIL_COMMENTS, data.GENERIC_FAIL_COMMENT, data.TEXT_COMMENTS,
                       data.GENERIC_TEXT_COMMENTS, data.STAFF_DESCRIPTIONS)

LITHUANIAN = AuditorTexts(
    fail_comments={
        "premises": ("Pirštų atspaudai ant stiklinių durų, lankstinukai ant grindų.",
                     "Televizorių skyriuje trūko dviejų kainų etikečių.", "Dėžės paliktos praėjime prie nešiojamųjų kompiuterių."),
        "greeting": ("Ilgai niekas nepakėlė akių nuo prekystalio.", "Darbuotojai kalbėjosi tarpusavyje."),
        "courtesy": ("Atsakė trumpai ir susierzinęs.", "Nusisuko, kol aš dar kalbėjau."),
        "needs": ("Nepaklausė, kam man to reikia.", "Pertraukė mane ir siūlė akcijinį modelį."),
        "personalization": ("Rekomendavo tą patį modelį kaip ir ankstesniam pirkėjui.",),
        "knowledge": ("Nežinojo baterijos veikimo laiko; spėliojo.", "Supainiojo dviejų modelių savybes."),
        "advice": ("Tik parodė į lentyną.", "Nepagrįstai rekomendavo brangiausią variantą."),
        "upsell": ("Tris kartus siūlė pratęstą garantiją.",),
        "speed": ("Ilgai laukiau; prie prekystalio tik vienas darbuotojas.", "Ilga eilė prie kasos, antra kasa neatidaryta."),
        "payment": ("Neveikė kortelių terminalas, teko mokėti grynaisiais.", "Čekio teko prašyti du kartus."),
        "accuracy": ("Paėmė 10 EUR daugiau nei kaina lentynoje; pataisė, kai paklausiau.",
                     "Kaina čekyje skyrėsi nuo kainos etiketėje."),
        "problem_resolution": ("Atsisakė priimti grąžinimą be aiškios priežasties.",
                               "Pasiūlė tik siųsti taisyti, kelioms savaitėms."),
        "empowerment": ("Paprastam pakeitimui teko kviesti vadovą.",),
        "farewell": ("Neatsisveikino; iškart ėmė aptarnauti kitą pirkėją.",),
        "follow_up": ("Nieko nepasakė apie garantiją ar servisą.",),
        "channel_access": ("Du kartus linija buvo užimta, kol kas nors atsiliepė.",),
    },
    generic_fail_comment=("Ne taip, kaip reikalauja standartas.", "Gerokai prasčiau, nei tikėjausi."),
    text_comments={
        ("in_person", "advice"): (
            ("Pasakė, kad visi nešiojamieji kompiuteriai panašūs, ir nuėjo.", "Rekomendavo modelį, gerokai viršijantį mano biudžetą."),
            ("Aiškiai paaiškino skirtumus.", "Naudingas dviejų modelių palyginimas."),
        ),
        ("phone", "greeting"): (
            ("Neprisistatė.", "Sumurmėjo vardą, kurio nesupratau."),
            ("Prisistatė kaip Ilzė.", "Pasakė: „Volta, kalba Tomas“."),
        ),
    },
    generic_text_comments=(
        ("Aptarnavo lėtai ir kiek abejingai.", "Apskritai prasčiau, nei tikiuosi iš šio tinklo."),
        ("Apskritai malonus apsilankymas.", "Nėra ką pridurti; viskas buvo gerai."),
    ),
    staff_descriptions=(
        "Jaunas vyras su akiniais, mėlyni Volta marškinėliai, be kortelės.", "Moteris apie 40 metų, kortelė „Rasa“.",
        "Aukštas vyras, apie 30, su barzda, kortelė „Tomas“.", "Jauna moteris su uodegyte, kortelė „Līga“.",
        "Vyresnis vyras prie aptarnavimo stalo, kortelė „Andris“.", "Studento amžiaus kasininkė, kortelė „Eglė“.",
    ),
)

LATVIAN = AuditorTexts(
    fail_comments={
        "premises": ("Pirkstu nospiedumi uz stikla durvīm, bukleti uz grīdas.",
                     "Televizoru nodaļā trūka divu cenu zīmju.", "Kastes atstātas ejā pie portatīvajiem datoriem."),
        "greeting": ("Ilgi neviens nepacēla skatienu no letes.", "Darbinieki tērzēja savā starpā."),
        "courtesy": ("Atbildēja īsi un aizkaitināti.", "Novērsās, kamēr es vēl runāju."),
        "needs": ("Nepajautāja, kam man tas vajadzīgs.", "Pārtrauca mani un uzspieda akcijas modeli."),
        "personalization": ("Ieteica to pašu modeli kā iepriekšējam klientam.",),
        "knowledge": ("Nezināja akumulatora darbības laiku; minēja.", "Sajauca abu modeļu parametrus."),
        "advice": ("Tikai norādīja uz plauktu.", "Bez pamatojuma ieteica dārgāko variantu."),
        "upsell": ("Trīs reizes uzspieda pagarināto garantiju.",),
        "speed": ("Ilgi gaidīju; pie letes tikai viens darbinieks.", "Gara rinda pie kases, otru kasi neatvēra."),
        "payment": ("Nestrādāja karšu terminālis, nācās maksāt skaidrā naudā.", "Čeku nācās prasīt divreiz."),
        "accuracy": ("Iekasēja par 10 EUR vairāk nekā cena plauktā; izlaboja, kad pajautāju.",
                     "Cena čekā atšķīrās no cenu zīmes."),
        "problem_resolution": ("Atteica pieņemt atgriešanu bez skaidra iemesla.",
                               "Piedāvāja tikai nosūtīt remontā, uz vairākām nedēļām."),
        "empowerment": ("Vienkāršai apmaiņai nācās saukt vadītāju.",),
        "farewell": ("Neatvadījās; uzreiz ķērās pie nākamā klienta.",),
        "follow_up": ("Neko neteica par garantiju vai servisu.",),
        "channel_access": ("Divreiz līnija bija aizņemta, līdz kāds atbildēja.",),
    },
    generic_fail_comment=("Nav tā, kā prasa standarts.", "Manāmi zem maniem gaidījumiem."),
    text_comments={
        ("in_person", "advice"): (
            ("Teica, ka visi portatīvie datori ir līdzīgi, un aizgāja.", "Ieteica modeli krietni virs mana budžeta."),
            ("Skaidri izskaidroja atšķirības.", "Noderīgs abu modeļu salīdzinājums."),
        ),
        ("phone", "greeting"): (
            ("Nenosauca vārdu.", "Nomurmināja vārdu, ko nesapratu."),
            ("Stādījās priekšā kā Ilze.", "Teica: “Volta, runā Tomass”."),
        ),
    },
    generic_text_comments=(
        ("Apkalpošana bija lēna un nedaudz vienaldzīga.", "Kopumā zem tā, ko gaidu no šī tīkla."),
        ("Kopumā patīkams apmeklējums.", "Nav ko piebilst; viss bija labi."),
    ),
    staff_descriptions=(
        "Jauns vīrietis ar brillēm, zils Volta krekls, bez vārda kartītes.", "Sieviete ap 40, kartīte “Rasa”.",
        "Garš vīrietis, ap 30, ar bārdu, kartīte “Tomas”.", "Jauna sieviete ar zirgastu, kartīte “Līga”.",
        "Vecāks vīrietis pie klientu apkalpošanas galda, kartīte “Andris”.", "Studenta vecuma kasiere, kartīte “Eglė”.",
    ),
)

RUSSIAN = AuditorTexts(
    fail_comments={
        "premises": ("Отпечатки пальцев на стеклянной двери, листовки на полу.",
                     "В отделе телевизоров не хватало двух ценников.", "Коробки оставлены в проходе у ноутбуков."),
        "greeting": ("Долго никто не поднимал глаз от прилавка.", "Сотрудники болтали между собой."),
        "courtesy": ("Ответил коротко и раздражённо.", "Отвернулся, пока я ещё говорил."),
        "needs": ("Не спросил, для чего мне это нужно.", "Перебил меня и навязывал акционную модель."),
        "personalization": ("Посоветовал ту же модель, что и предыдущему покупателю.",),
        "knowledge": ("Не знал время работы от батареи; угадывал.", "Перепутал характеристики двух моделей."),
        "advice": ("Просто показал на полку.", "Без объяснений посоветовал самый дорогой вариант."),
        "upsell": ("Трижды навязывал расширенную гарантию.",),
        "speed": ("Долго ждал; у прилавка только один сотрудник.", "Длинная очередь в кассу, вторую кассу не открыли."),
        "payment": ("Не работал терминал для карт, пришлось платить наличными.", "Чек пришлось просить дважды."),
        "accuracy": ("Взяли на 10 EUR больше цены на полке; исправили, когда я спросил.",
                     "Цена в чеке отличалась от ценника."),
        "problem_resolution": ("Отказали в возврате без понятной причины.",
                               "Предложили только отправить в ремонт, на несколько недель."),
        "empowerment": ("Для простого обмена пришлось звать менеджера.",),
        "farewell": ("Не попрощался; сразу перешёл к следующему покупателю.",),
        "follow_up": ("Ничего не сказал о гарантии и сервисе.",),
        "channel_access": ("Дважды было занято, прежде чем кто-то ответил.",),
    },
    generic_fail_comment=("Не так, как требует стандарт.", "Заметно хуже, чем я ожидал."),
    text_comments={
        ("in_person", "advice"): (
            ("Сказал, что все ноутбуки примерно одинаковые, и ушёл.", "Посоветовал модель намного дороже моего бюджета."),
            ("Понятно объяснил различия.", "Полезное сравнение двух моделей."),
        ),
        ("phone", "greeting"): (
            ("Не представился.", "Пробормотал имя, которое я не разобрал."),
            ("Представилась как Илзе.", "Сказал: «Volta, Томас слушает»."),
        ),
    },
    generic_text_comments=(
        ("Обслуживали медленно и довольно равнодушно.", "В целом хуже, чем я жду от этой сети."),
        ("В целом приятный визит.", "Добавить нечего; всё было хорошо."),
    ),
    staff_descriptions=(
        "Молодой человек в очках, синяя рубашка Volta, без бейджа.", "Женщина около 40 лет, бейдж «Rasa».",
        "Высокий мужчина около 30, с бородой, бейдж «Tomas».", "Молодая женщина с хвостиком, бейдж «Līga».",
        "Пожилой мужчина у стойки обслуживания, бейдж «Andris».", "Кассирша студенческого возраста, бейдж «Eglė».",
    ),
)

BY_LANGUAGE = {"en": ENGLISH, "lt": LITHUANIAN, "lv": LATVIAN, "ru": RUSSIAN}


def auditor_texts(locale: str | None) -> AuditorTexts:
    """The tables an auditor with ``locale`` writes from (English for an unknown one)."""
    return BY_LANGUAGE.get(locale or "en", ENGLISH)
