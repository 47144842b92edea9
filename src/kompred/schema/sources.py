"""The public sources kompred's rules and facts rest on, each with its title and address.

Messages shown to users cite these (title and URL), never internal notes.

>>> SOURCES["S2"].cite()
'Omställningsfonden: Kriterier för beviljande av förebyggande insatser, https://www.omstallningsfonden.se/arbetsgivare/forebyggande-insatser/kriterier-for-beviljande-av-forebyggande-insatser/'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SOURCES", "Source"]


@dataclass(frozen=True)
class Source:
    """A public document: who published it, its title, its address (and a date when known)."""

    key: str
    publisher: str
    title: str
    url: str | None = None
    date: str | None = None

    def cite(self) -> str:
        """``"Publisher: Title (date), URL"`` in one line."""
        text = f"{self.publisher}: {self.title}"
        if self.date:
            text += f" ({self.date})"
        return f"{text}, {self.url}" if self.url else text


_OF = "Omställningsfonden"
SOURCES: dict[str, Source] = {s.key: s for s in (
    Source("S1", _OF, "Ansökan steg för steg (förebyggande insatser)",
           "https://www.omstallningsfonden.se/arbeta-med-omstallning/forebyggande-insatser/"
           "ansokan-steg-for-steg/"),
    Source("S2", _OF, "Kriterier för beviljande av förebyggande insatser",
           "https://www.omstallningsfonden.se/arbetsgivare/forebyggande-insatser/"
           "kriterier-for-beviljande-av-forebyggande-insatser/"),
    Source("S3", "SKR", "Frågor och svar om KOM-KR",
           "https://skr.se/skr/arbetsgivarekollektivavtal/kollektivavtal/"
           "kompetensochomstallningsavtal/fragorochsvaromkomkr.36065.html"),
    Source("S4", _OF, "Nya medel för förebyggande insatser",
           "https://www.omstallningsfonden.se/om-oss/nyhetsrum/nya-medel-for-forebyggande-insatser/",
           "2024-01-22"),
    Source("S7", _OF, "TLO-KL: Ansöka om medel", "http://omstallningsfonden.se/tlo-kl/ansoka-om-medel/"),
    Source("S10", _OF, "Tolkningar och förtydliganden i TLO-KL",
           "http://omstallningsfonden.se/2018/05/tolkningar-och-fortydliganden-i-tlo-kl/", "2018-05"),
    Source("S12", _OF, "Tidig lokal omställning efter årsskiftet",
           "https://www.omstallningsfonden.se/om-oss/nyhetsrum/tidig-lokal-omstallning-efter-arsskiftet/"),
    Source("S14", _OF, "Tidig lokal omställning 2017–april 2020",
           "https://www.omstallningsfonden.se/arbeta-med-omstallning/forebyggande-insatser/"
           "tidig-lokal-omstallning-2017-april-2020/"),
    Source("S16", "Sveriges Lärare (LR)", "Kompetens- och omställningsavtal KOM-KR",
           "https://www.lr.se/lon-lagar--avtal/kollektivavtal/kommunal-sektor/"
           "kompetens--och-omstallningsavtal-kom-kr"),
    Source("S17", "SKR", "Kompetens- och omställningsavtal (KOM-KR i lydelse 2022-10-01)",
           "https://webbutik.skl.se/skr/arbetsgivarekollektivavtal/kollektivavtal/"
           "kompetensochomstallningsavtal.46474.html"),
    Source("S20", "SKR", "750 miljoner avsätts för omställning och kompetensutveckling i välfärden",
           "https://skr.se/arbetsgivarekollektivavtal/nyhetsarkivarbetsgivarekollektivavtal/"
           "nyhetsarkivarbetsgivarfragor/"
           "750miljoneravsattsforomstallningochkompetensutvecklingivalfarden.35815.html"),
    Source("S21", _OF, "750 miljoner till kompetensutveckling i välfärden",
           "https://www.omstallningsfonden.se/om-oss/nyhetsrum/"
           "750-miljoner-till-kompetensutveckling-i-valfarden/"),
    Source("S32", "Kommunalarbetaren",
           "Undersköterskan Johan vidareutbildade sig utan att behöva ta lån (kommunen stod för "
           "lönekostnaderna)",
           "https://ka.se/2022/03/07/underskoterskan-johan-vidareutbildade-sig-utan-att-behova-ta-lan/",
           "2022-03-07"),
    Source("S33", "Kommunalarbetaren",
           "Tre sätt att få betalda studier för dig som har jobb, är vikarie eller blivit uppsagd",
           "https://ka.se/2024/01/19/"
           "tre-satt-att-fa-betalda-studier-for-dig-som-har-jobb-ar-vikarie-eller-blivit-uppsagd/",
           "2024-01-19"),
    Source("S28", "Sobona", "Pilotprojekt ska stärka välfärdens kompetensförsörjning (särskilda "
           "medel 2025 för Norrbotten och Västerbotten, även för nyrekryteringar)",
           "https://sobona.se/nyhetsrum/pressmeddelande/"
           "2025-03-06-pilotprojekt-ska-starka-valfardens-kompetensforsorjning",
           "2025-03-06"),
    Source("STHLM", "Stockholms stad",
           "Redovisning av förebyggande insatser via Omställningsfonden 2021–2023 (avslag: "
           "föreläsning om palliativ vård, föreläsning om att främja ett hållbart arbetsliv)"),
    Source("AVSIKT", "SKR, Sobona och de fackliga organisationerna",
           "Avsiktsförklaring om kompetensförsörjning av välfärden (gäller t.o.m. 2026-12-31)",
           None, "2024-03-28"),
    Source("GDPR", "Europeiska unionen",
           "Dataskyddsförordningen (EU) 2016/679, art. 5.1 c (uppgiftsminimering)",
           "https://eur-lex.europa.eu/eli/reg/2016/679/oj"),
)}
