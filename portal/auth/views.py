from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime, gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import or_, select

from portal import permissions as perm
from portal.audit import changes, record
from portal.auth import bp
from portal.auth.forms import ROLE_LABELS, ChangePasswordForm, LoginForm, ResetPasswordForm, UserForm
from portal.auth.models import User
from portal.auth.services import authenticate, change_password
from portal.extensions import db
from portal.formutil import switch
from portal.org.models import Community, Street, Unit
from portal.rendering import render
from portal.timeutil import to_local, utcnow
from portal.web import is_safe_next, role_home_url

PAGE_SIZE = 50


@bp.route("/login", methods=["GET", "POST"])
@perm.public
def login():
    """Log a user in."""
    if current_user.is_authenticated:
        return redirect(role_home_url())
    form = LoginForm()
    if form.validate_on_submit():
        result = authenticate(form.username.data, form.password.data)
        if result.user is not None:
            lang = session.get("lang")
            session.clear()  # a fresh session at every login
            if lang:
                session["lang"] = lang
            login_user(result.user)
            now = utcnow().isoformat()
            session["login_at"] = session["seen"] = now
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else role_home_url())
        if result.locked_until is not None:
            flash(_("Too many failed logins. This account is locked until %(time)s.",
                    time=format_datetime(to_local(result.locked_until), "HH:mm")), "error")
        else:
            flash(_("Wrong username or password, or the account is inactive."), "error")
    return render_template("auth/login.html", form=form), 200


@bp.route("/logout", methods=["POST"])
@perm.login_required
def logout():
    """Log out, ending every session of this user."""
    current_user.end_sessions()
    record("auth.logout", current_user)
    db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@perm.login_required
def change_own_password():
    """Change one's own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            change_password(current_user, form.new.data, actor=current_user, action="auth.password_changed")
            db.session.commit()
            login_user(current_user._get_current_object())  # this session continues with the new token
            flash(_("Your password has been changed. Other sessions have been logged out."), "success")
            return redirect(role_home_url())
    return render_template("auth/password.html", form=form)


# --- user administration (district admin) -------------------------------------------------

def _scope_choices(form: UserForm) -> None:
    none = [(0, "—")]
    streets = db.session.scalars(select(Street).where(Street.active).order_by(Street.code)).all()
    units = db.session.scalars(select(Unit).where(Unit.active).order_by(Unit.street_id, Unit.code)).all()
    communities = db.session.scalars(
        select(Community).where(Community.active).order_by(Community.street_id, Community.code)).all()
    form.street_id.choices = none + [(s.id, s.name) for s in streets]
    form.unit_id.choices = none + [(u.id, f"{u.street.name} · {u.name}") for u in units]
    form.community_id.choices = none + [(c.id, f"{c.street.name} · {c.name}") for c in communities]


def _apply_scope(user: User, form: UserForm) -> bool:
    street = db.session.get(Street, form.street_id.data) if form.street_id.data else None
    unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
    community = db.session.get(Community, form.community_id.data) if form.community_id.data else None
    for obj, field in ((street, form.street_id), (unit, form.unit_id), (community, form.community_id)):
        if field.data and (obj is None or not obj.active):
            field.errors.append(_("Choose an active entry from the list."))
            return False
    user.role = form.role.data
    user.set_scope(street=street, unit=unit, community=community)
    return True


@bp.route("/users")
@perm.roles_required(perm.DISTRICT_ADMIN)
def users():
    """List users, with live search by name, username or role."""
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    query = select(User).order_by(User.role, User.username)
    if q:
        like = f"%{q}%"
        query = query.where(or_(User.username.ilike(like), User.display_name.like(like)))
    if role in perm.ROLES:
        query = query.where(User.role == role)
    page = max(request.args.get("page", 1, type=int), 1)
    rows = db.session.scalars(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    return render("auth/users.html", "auth/_user_rows.html", users=rows[:PAGE_SIZE],
                  has_more=len(rows) > PAGE_SIZE, page=page, q=q, role=role, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@perm.roles_required(perm.DISTRICT_ADMIN)
def create_user():
    """Create a user with a role, a scope and an initial password."""
    form = UserForm()
    _scope_choices(form)
    if form.validate_on_submit():
        if not (form.password.data or "").strip():
            form.password.errors.append(_("Give an initial password."))
        elif db.session.scalar(select(User.id).where(User.username == form.username.data)):
            form.username.errors.append(_("This username is taken."))
        else:
            user = User(username=form.username.data, display_name=form.display_name.data,
                        phone=form.phone.data or "", role=form.role.data)
            if _apply_scope(user, form):
                user.set_password(form.password.data)
                db.session.add(user)
                record("user.created", user, username=user.username, role=user.role,
                       scope=user.scope_label)
                db.session.commit()
                flash(_("User %(name)s created.", name=user.display_name), "success")
                return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=None), 422 if form.errors else 200


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@perm.roles_required(perm.DISTRICT_ADMIN)
def edit_user(user_id: int):
    """Edit a user's name, phone, role and scope."""
    user = _user_or_404(user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    if request.method == "GET":
        form.street_id.data = user.street_id or 0
        form.unit_id.data = user.unit_id or 0
        form.community_id.data = user.community_id or 0
    _scope_choices(form)
    form.username.data = user.username  # the username never changes
    if form.validate_on_submit():
        before = {"role": user.role, "scope": user.scope_label}
        diff = changes(user, ["display_name", "phone"], {"display_name": form.display_name.data,
                                                         "phone": form.phone.data or ""})
        user.display_name = form.display_name.data
        user.phone = form.phone.data or ""
        if _apply_scope(user, form):
            if before != {"role": user.role, "scope": user.scope_label}:
                diff["role"] = [before["role"], user.role]
                diff["scope"] = [before["scope"], user.scope_label]
                user.end_sessions()  # a new role or scope takes effect at once
            record("user.updated", user, changes=diff)
            db.session.commit()
            flash(_("User %(name)s saved.", name=user.display_name), "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=user), 422 if form.errors else 200


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@perm.roles_required(perm.DISTRICT_ADMIN)
def reset_password(user_id: int):
    """Give a user a new password and end their sessions."""
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        change_password(user, form.new.data, actor=current_user, action="user.password_reset")
        db.session.commit()
        flash(_("The password of %(name)s has been reset.", name=user.display_name), "success")
        return redirect(url_for("auth.users"))
    return render_template("auth/reset_password.html", form=form, user=user), 422 if form.errors else 200


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@perm.roles_required(perm.DISTRICT_ADMIN)
def set_user_active(user_id: int):
    """Deactivate or reactivate a user; deactivation ends their sessions at once."""
    user = _user_or_404(user_id)
    want = switch("active")
    if user.id == current_user.id and not want:
        flash(_("You cannot deactivate yourself."), "error")
        return redirect(url_for("auth.users"))
    if user.active != want:
        user.active = want
        if not want:
            user.end_sessions()
        record("user.activated" if want else "user.deactivated", user)
        db.session.commit()
    flash(_("%(name)s is now %(state)s.", name=user.display_name,
            state=_("active") if want else _("inactive")), "success")
    return redirect(url_for("auth.users"))
