"""Password reset links: the owner issues one from the People page; the student opens it and
chooses a new password."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from chronos.models import password_resets, people
from chronos.operations import OperationError
from chronos.operations import people as people_ops
from chronos.web import services
from chronos.web.auth import MIN_PASSWORD, sign_in
from chronos.web.identity import api_owner_required, who
from chronos.web.people import public_base
from chronos.web.schemas import accepts

bp = Blueprint("resets", __name__)


@bp.post("/api/students/<int:student_id>/reset-link")
@api_owner_required
@accepts()
def issue(student_id: int):
    """A one-time link for the student to set a new password (older links stop working)."""
    made = people_ops.issue_reset(services(), who().creator_id, student_id)
    link = public_base() + url_for("resets.page", token=made.token)
    return jsonify(url=link, expires_at=made.reset.expires_at), 201


@bp.route("/reset/<token>", methods=["GET", "POST"])
def page(token: str):
    """The student chooses a new password, then is signed in with it."""
    with services().db.connection() as conn:
        found = password_resets.reset_for_token(conn, token)
        problem = "This reset link is not valid. Check you copied all of it." if found is None else found.problem()
        if problem:
            return render_template("error.html", title="Reset link not usable", message=problem), 410
        student = people.get_student(conn, found.student_id)
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        if len(password) < MIN_PASSWORD:
            error = f"Choose a password of at least {MIN_PASSWORD} characters."
        elif password != request.form.get("confirm", ""):
            error = "The two passwords differ. Type the same password twice."
        else:
            try:
                student = people_ops.reset_password(services(), token, password)
            except OperationError as exc:  # used or replaced a moment ago
                return render_template("error.html", title="Reset link not usable", message=exc.message), exc.status
            sign_in(student_id=student.id)
            flash("Your new password is set. Use it next time you sign in.")
            return redirect(url_for("library.index"))
    return render_template("reset.html", student=student, error=error,
                           min_password=MIN_PASSWORD), 400 if error else 200
