"""Sample URL arguments for the cases area's parameterised GET routes."""
import io

from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.extensions import db

# A case every demo user sees: the routine whistle in 青檀北里 (the grid worker's community) that
# summoned 青檀城管执法队 (the demo chief's and staff's unit) among others.
SHARED_CASE = "青檀北里9号楼地下室"


def _shared_case_id():
    from portal.cases.models import Case

    return db.session.scalar(select(Case.id).where(Case.description.contains(SHARED_CASE)))


def _case(app):
    return {"case_id": _shared_case_id()}


def _photo(app):
    """A reported photo of the shared case, stored now: the test app has its own upload folder."""
    from portal.cases import uploads
    from portal.cases.models import Case

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 120, 150)).save(buffer, "JPEG")
    buffer.seek(0)
    case = db.session.get(Case, _shared_case_id())
    (photo,) = uploads.store_photos([FileStorage(buffer, "report.jpg")], "report", case=case)
    db.session.commit()
    return {"case_id": case.id, "attachment_id": photo.id}


SAMPLES: dict = {
    # lists.py: the filtered list's export, as CSV (every role may export what it sees)
    "cases.export": {"kwargs": lambda app: {"fmt": "csv"}},
    # views.py: the case page and its photos
    "cases.detail": {"kwargs": _case},
    "cases.photo": {"kwargs": _photo},
}
