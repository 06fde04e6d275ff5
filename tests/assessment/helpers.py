from sqlalchemy import select

from portal.assessment.demo import EMERGENCY_WHISTLE, ROUTINE_WHISTLE
from portal.assessment.models import WhistleRating
from portal.cases.models import Case
from portal.extensions import db
from portal.org.models import Unit


def whistle(text: str = ROUTINE_WHISTLE) -> Case:
    return db.session.scalar(select(Case).where(Case.level == 3, Case.description.startswith(text)))


def unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def rating(code: str, text: str = ROUTINE_WHISTLE) -> WhistleRating:
    return db.session.scalar(select(WhistleRating).where(
        WhistleRating.case_id == whistle(text).id, WhistleRating.unit_id == unit(code).id))


def month_of(case: Case) -> str:
    from portal.assessment.scoring import local_month

    return local_month(case.whistled_at).strftime("%Y-%m")


STARS = {"efficiency": "4", "cooperation": "5", "professionalism": "3", "responsibility": "4",
         "comment": "到场及时，拆除彻底。"}

__all__ = ["EMERGENCY_WHISTLE", "ROUTINE_WHISTLE", "STARS", "month_of", "rating", "unit", "whistle"]


def table_rows(html: str, table_id: str) -> list[list[tuple[str, list[str]]]]:
    """The body rows of the page's table `table_id`: per cell, its text and the links in it."""
    from html.parser import HTMLParser

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.depth, self.section, self.rows, self.cell = 0, None, [], None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "table":
                self.depth += 1 if self.depth or attrs.get("id") == table_id else 0
            elif not self.depth:
                return
            elif tag in ("thead", "tbody", "tfoot"):
                self.section = tag
            elif tag == "tr" and self.section == "tbody":
                self.rows.append([])
            elif tag in ("td", "th") and self.section == "tbody":
                self.cell = ["", []]
            elif tag == "a" and self.cell is not None:
                self.cell[1].append(attrs.get("href", ""))

        def handle_endtag(self, tag):
            if not self.depth:
                return
            if tag == "table":
                self.depth -= 1
            elif tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append((" ".join(self.cell[0].split()), self.cell[1]))
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell[0] += data

    parser = Rows()
    parser.feed(html)
    return parser.rows
