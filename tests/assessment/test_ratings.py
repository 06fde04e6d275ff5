"""Rating each whistle (一哨一考): owed at closure, once per assignment, corrections with a reason."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.assessment import ratings
from portal.assessment.models import WhistleRating, WhistleRatingRevision
from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.cases import rules
from portal.extensions import db
from portal.inbox.models import Notification
from tests.assessment.helpers import EMERGENCY_WHISTLE, STARS, rating, whistle


def test_demo_whistles_owe_a_rating_per_reporting_unit(app):
    with app.app_context():
        case = whistle()
        rows = db.session.scalars(select(WhistleRating).where(WhistleRating.case_id == case.id)).all()
        assert sorted(r.unit.code for r in rows) == ["qt-fgs", "qt-pcs", "qt-xfz", "qt-zfd"]
        assert [r.unit.code for r in rows if r.is_owed] == ["qt-zfd"]
        secretary = db.session.scalar(select(User).where(User.username == "secretary"))
        note = db.session.scalar(select(Notification).where(
            Notification.user_id == secretary.id, Notification.kind == ratings.NOTIFICATION_KIND))
        assert case.number in note.text and note.link == f"/assessment/cases/{case.id}/ratings"
        assert ratings.owe_ratings(case) == []          # never owed twice
        assert ratings.owe_missing() == 0


def test_closing_a_whistle_owes_ratings_only_for_units_that_reported(app):
    with app.app_context():
        case = whistle("铜铃巷31号平房院")           # the resolved emergency whistle
        dispatcher = db.session.scalar(select(User).where(User.username == "dispatcher"))
        now = max(e.at for e in case.events) + timedelta(minutes=5)
        fgs = next(a for a in case.assignments if a.unit.code == "qt-fgs")
        rules.transition(case, "verify", dispatcher, assignment=fgs, now=now)
        rules.transition(case, "close", dispatcher, now=now)
        db.session.commit()
        owed = db.session.scalars(select(WhistleRating).where(WhistleRating.case_id == case.id)).all()
        assert sorted(r.unit.code for r in owed) == ["qt-fgs", "qt-pcs", "qt-xfz"]
        assert all(r.is_owed and r.owed_since == now for r in owed)


def test_a_level_2_case_owes_no_rating(app):
    with app.app_context():
        closed_level2 = db.session.scalars(select(WhistleRating.case_id)).all()
        from portal.cases.models import Case

        level2 = db.session.scalars(select(Case.id).where(Case.level == 2, Case.state == "closed")).all()
        assert level2 and not set(level2) & set(closed_level2)


def test_the_secretary_rates_a_unit_once(app, client_for):
    client = client_for("secretary")
    with app.app_context():
        target = rating("qt-zfd")
        url, case_id, version = f"/assessment/ratings/{target.id}", target.case_id, target.version
    page = client.get(url)
    assert page.status_code == 200 and 'type="radio"' in page.get_data(as_text=True)
    response = client.post_form(url, {**STARS, "version": version})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessment/cases/{case_id}/ratings")
    with app.app_context():
        done = rating("qt-zfd")
        assert (done.efficiency, done.cooperation, done.professionalism, done.responsibility) == (4, 5, 3, 4)
        assert done.revision == 1 and done.comment == STARS["comment"]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.rated",
                                                           AuditEvent.object_id == done.id))
        assert event.details["efficiency"] == 4
        # once: the rules refuse a second rating that is not a correction
        secretary = db.session.scalar(select(User).where(User.username == "secretary"))
        with pytest.raises(ratings.AlreadyRated):
            ratings.rate(done, secretary, {d: 5 for d in STARS if d != "comment"})
    # the page now offers a correction, which needs a reason
    response = client.post_form(url, {**STARS, "efficiency": "2", "version": version + 1})
    assert response.status_code == 422
    assert "Say why the rating is corrected" in response.get_data(as_text=True) or \
        "说明更正" in response.get_data(as_text=True)


def test_a_correction_is_a_new_revision_with_its_reason(app, client_for):
    client = client_for("secretary")
    with app.app_context():
        target = rating("qt-xfz")
        url, version = f"/assessment/ratings/{target.id}", target.version
    response = client.post_form(url, {**STARS, "efficiency": "2", "version": version,
                                      "reason": "消防站后续复查未按约定进行。"})
    assert response.status_code == 302
    with app.app_context():
        done = rating("qt-xfz")
        assert done.revision == 2 and done.efficiency == 2
        revisions = db.session.scalars(select(WhistleRatingRevision).where(
            WhistleRatingRevision.rating_id == done.id).order_by(WhistleRatingRevision.revision)).all()
        assert [r.efficiency for r in revisions] == [3, 2]
        assert revisions[1].reason == "消防站后续复查未按约定进行。"
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "assessment.rating_corrected", AuditEvent.object_id == done.id))
        assert event.details["reason"] == "消防站后续复查未按约定进行。"
        assert event.details["previous"]["efficiency"] == 3


@pytest.mark.parametrize("change", [
    {"efficiency": ""},                 # all four are required
    {"responsibility": None},
    {"cooperation": "6"},               # 1–5 only
    {"professionalism": "0"},
    {"efficiency": "x"},
])
def test_rating_validation(app, client_for, change):
    client = client_for("secretary")
    with app.app_context():
        target = rating("qt-zfd")
        url, version = f"/assessment/ratings/{target.id}", target.version
    data = {**STARS, "version": version, **change}
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post_form(url, data)
    assert response.status_code == 422
    with app.app_context():
        assert rating("qt-zfd").is_owed


def test_rating_rules_validate_without_http(app):
    with app.app_context():
        secretary = db.session.scalar(select(User).where(User.username == "secretary"))
        target = rating("qt-zfd")
        for stars in ({"efficiency": 5, "cooperation": 5, "professionalism": 5},
                      {"efficiency": 5, "cooperation": 5, "professionalism": 5, "responsibility": 7}):
            with pytest.raises(ratings.RatingError):
                ratings.rate(target, secretary, stars)
        assert target.is_owed
        with pytest.raises(ratings.RatingError):      # a correction of an owed rating
            ratings.rate(target, secretary, {d: 4 for d in ("efficiency", "cooperation", "professionalism",
                                                            "responsibility")}, reason="x", correct=True)


def test_a_stale_version_answers_409(app, client_for):
    client = client_for("secretary")
    with app.app_context():
        target = rating("qt-zfd")
        url, version = f"/assessment/ratings/{target.id}", target.version
    assert client.post_form(url, {**STARS, "version": version}).status_code == 302
    response = client.post_form(url, {**STARS, "version": version, "reason": "再次评价"})
    assert response.status_code == 409
    with app.app_context():
        assert rating("qt-zfd").revision == 1


def test_only_the_street_secretary_or_the_district_rates(app, client_for):
    with app.app_context():
        url = f"/assessment/ratings/{rating('qt-zfd').id}"
    assert client_for("dispatcher").post_form(url, STARS).status_code == 403
    assert client_for("chief").get(url).status_code == 403
    assert client_for("secretary2").get(url).status_code == 404      # another street's whistle
    assert client_for("admin").get(url).status_code == 200


def test_the_case_fragment_shows_the_ratings_a_unit_chief_only_their_own(app, client_for):
    with app.app_context():
        case = whistle()
        url, number = f"/assessment/cases/{case.id}/ratings", case.number
        target = rating("qt-zfd")
        rate_url, version = f"/assessment/ratings/{target.id}", target.version
    client_for("secretary").post_form(rate_url, {**STARS, "version": version})
    secretary = client_for("secretary").get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in secretary
    for name in ("青檀房管所", "青檀派出所", "青檀消防救援站", "青檀街道城管执法队"):
        assert name in secretary
    chief = client_for("chief").get(url).get_data(as_text=True)
    assert number in chief and "青檀街道城管执法队" in chief and "到场及时" in chief
    assert "青檀派出所" not in chief and "人员登记及时" not in chief
    grid = client_for("grid").get(url, headers={"HX-Request": "true"})
    assert grid.status_code == 200 and "青檀派出所" not in grid.get_data(as_text=True)
    assert client_for("secretary2").get(url).status_code == 404
    assert client_for("chief2").get(url).status_code == 404


def test_ratings_list_shows_owed_to_raters_and_own_to_units(app, client_for):
    owed = client_for("secretary").get("/assessment/ratings").get_data(as_text=True)
    assert 'id="owed-ratings"' in owed and "青檀街道城管执法队" in owed
    chief = client_for("chief").get("/assessment/ratings").get_data(as_text=True)
    assert 'id="owed-ratings"' not in chief and "青檀派出所" not in chief
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WhistleRating).where(
            WhistleRating.case_id == whistle(EMERGENCY_WHISTLE).id, WhistleRating.rated_at.is_not(None))) == 2
    assert client_for("grid").get("/assessment/ratings").status_code == 403


def test_a_stale_rating_keeps_what_the_user_typed(app, client_for):
    client = client_for("secretary")
    with app.app_context():
        target = rating("qt-zfd")
        url, version = f"/assessment/ratings/{target.id}", target.version
    assert client_for("admin").post_form(url, {**STARS, "version": version}).status_code == 302
    mine = {**STARS, "efficiency": "2", "comment": "复查时仍有遗留问题。", "reason": "现场复查后更正"}
    response = client.post_form(url, {**mine, "version": version})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "复查时仍有遗留问题。" in html and "现场复查后更正" in html           # the user's input
    assert STARS["comment"] in html                                              # the rating as it is now
    assert f'name="version" type="hidden" value="{version + 1}"' in html
    with app.app_context():
        assert rating("qt-zfd").revision == 1 and rating("qt-zfd").comment == STARS["comment"]
    # saving again with the version now shown is a deliberate correction
    assert client.post_form(url, {**mine, "version": version + 1}).status_code == 302


def test_a_star_value_out_of_range_names_the_stars(app, client_for):
    client = client_for("secretary")
    with app.app_context():
        target = rating("qt-zfd")
        url, version = f"/assessment/ratings/{target.id}", target.version
    response = client.post_form(url, {**STARS, "cooperation": "6", "version": version})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "不是有效的选择" not in html and "请评 1 至 5 星。" in html
    with app.app_context():
        assert rating("qt-zfd").is_owed
