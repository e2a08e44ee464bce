"""The supervision console (监督工作台): a FastAPI application over the published snapshot
and the ledger store. ``create_app`` builds it; ``searchlight console`` serves it.

Reads go through ``console.data`` (the snapshot, never the DuckDB file; the ledger store
read-only); writes only through ``ledger.lifecycle.act``, the code path of
``searchlight ledger``, with the signed-in person as actor and the state they saw as
``expected_seq``. Nothing but the sign-in page, the language switch and the static files
answers without a session. See console/README.md for the decisions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import secrets
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

import duckdb
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from console import charts, i18n, labels, queries
from console.data import ConsoleData, DataUnavailable
from console.users import SignInRefused, User, UserStore, session_secret, users_path
from ledger import lifecycle, store
from searchlight.publish import published_dir

log = logging.getLogger("searchlight.console")
HERE = Path(__file__).parent
SESSION_COOKIE = "searchlight_session"
SESSION_HOURS = 10  # one working day; then sign in again
WALL_REFRESH_SECONDS = 60

# Security headers on every answer: no framing, no inline script, nothing from elsewhere
# (every asset ships inside the package).
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; "
                                "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                "frame-ancestors 'none'; form-action 'self'; "
                                "base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class NotSignedIn(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def create_app(warehouse: Path | None = None, *, ledger: Path | None = None,
               published: Path | None = None, users: Path | None = None,
               secret: str | None = None, clock: store.Clock = store.now_local,
               https_only: bool = False) -> FastAPI:
    """The console over one warehouse's snapshot and ledger (paths derived from
    ``warehouse`` unless given)."""
    if warehouse is None and (ledger is None or published is None):
        raise ValueError("give the warehouse, or both the ledger and the published folder")
    ledger = Path(ledger) if ledger else store.ledger_path(warehouse)
    published = Path(published) if published else published_dir(Path(warehouse))
    data = ConsoleData(published, ledger)

    @asynccontextmanager
    async def lifespan(_app):
        # Load the snapshot and fold the ledger in the background while the server
        # starts: at 10^6 history entries that takes a while, and until it is done pages
        # say "being refreshed" instead of hanging.
        threading.Thread(target=data.warm_up, name="console-warm-up", daemon=True).start()
        yield

    app = FastAPI(title="Searchlight console", docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=lifespan)
    app.state.data = data
    app.state.users = UserStore(Path(users) if users else users_path(ledger))
    app.state.ledger = ledger
    app.state.clock = clock
    app.state.templates = {lang: _templates(lang) for lang in i18n.LANGUAGES}
    app.add_middleware(SessionMiddleware, secret_key=secret or session_secret(ledger),
                       session_cookie=SESSION_COOKIE, max_age=SESSION_HOURS * 3600,
                       same_site="lax", https_only=https_only)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _exception_handlers(app)
    _routes(app)
    return app


# ---------------------------------------------------------------------- templates
def _templates(lang: str) -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)
    env.filters.update(local_time=local_time, num=_num, pct=_pct, jsonvalue=_jsonvalue,
                       ymd=_ymd)
    # tr: the plain gettext, for Python code called from templates (console/charts.py)
    env.globals.update(labels=labels, lang=lang, queries=queries, charts=charts,
                       tr=i18n.translations(lang).gettext)
    return Jinja2Templates(env=env)


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A timestamp shown in Asia/Shanghai whatever zone it was stored in."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=store.TZ)  # the ledger's wall clock
        return value.astimezone(store.TZ).strftime(fmt)
    return str(value)


def _ymd(value) -> str:
    if value in (None, ""):
        return ""
    return value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)[:10]


def _num(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _jsonvalue(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "—" if value is None else str(value)


# ---------------------------------------------------------------------- request helpers
def language(request: Request) -> str:
    return i18n.choose(request.cookies.get(i18n.COOKIE))


def gettext(request: Request):
    return i18n.translations(language(request)).gettext


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, token: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not token or not secrets.compare_digest(expected, token):
        raise Forbidden("csrf")


def current_user(request: Request) -> User:
    name = request.session.get("user")
    if not name:
        raise NotSignedIn
    user = request.app.state.users.get(name)
    # removed, or removed and added again since this session began: sign in again
    if user is None or user.created_at != request.session.get("since"):
        request.session.clear()
        raise NotSignedIn
    return user


def require(user: User, *roles: str) -> None:
    if user.role not in roles:
        raise Forbidden("role")


def scope_of(user: User) -> str | None:
    """The department a person is confined to (department handlers), else None."""
    return user.dept_code if user.is_department else None


def today(request: Request) -> dt.date:
    return request.app.state.clock().date()


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    lang = language(request)
    try:
        user = current_user(request)
    except NotSignedIn:
        user = None
    snapshot = request.app.state.data.snapshot
    names: dict = {}
    if snapshot is not None and "rule_names" not in context:
        data = request.app.state.data
        try:
            names = data.cached(("rule_names", lang),
                                lambda: queries.rule_names(data.cursor(), lang))
        except Exception:  # noqa: BLE001 - a name is a nicety; the page must still answer
            names = {}
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    base = {
        "user": user, "csrf": csrf_token(request), "snapshot": snapshot,
        "here": here, "flash": request.session.pop("flash", None),
        "lang_switch": {code: f"/lang/{code}?next={quote(here)}" for code in i18n.LANGUAGES},
        "departments": context.get("departments", {}), "rule_names": names,
        "now": request.app.state.clock(),
    }
    return request.app.state.templates[lang].TemplateResponse(
        request, name, {**base, **context}, status_code=status_code)


def departments(request: Request) -> dict[str, str]:
    data = request.app.state.data
    return data.cached(("departments",), lambda: queries.departments(data.cursor()))


def _refresh(request: Request):
    return request.app.state.data.refresh()


def flash(request: Request, kind: str, text: str) -> None:
    request.session["flash"] = {"kind": kind, "text": text}


# ---------------------------------------------------------------------- errors
def _exception_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn):
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        _ = gettext(request)
        message = (_("This form has expired or did not come from this console (its security "
                     "token is missing or wrong). Nothing was changed; reload the page and "
                     "try again.") if exc.reason == "csrf"
                   else _("Your role does not allow this. Nothing was changed."))
        return render(request, "error.html", 403, title=_("Not allowed"), message=message)

    @app.exception_handler(DataUnavailable)
    async def refreshing(request: Request, exc: DataUnavailable):
        log.warning("snapshot unavailable: %s", exc)
        response = render(request, "refreshing.html", 503)
        response.headers["Retry-After"] = "10"
        return response

    @app.exception_handler(duckdb.IOException)
    async def snapshot_file_gone(request: Request, exc: duckdb.IOException):
        # the only files read per request are the snapshot's: one vanished under us
        return await refreshing(request, DataUnavailable(str(exc)))

    @app.exception_handler(queries.FilterError)
    async def bad_filter(request: Request, exc: queries.FilterError):
        _ = gettext(request)
        return render(request, "error.html", 400, title=_("This filter is not valid"),
                      message=str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        _ = gettext(request)
        if exc.status_code == 404:
            return render(request, "error.html", 404, title=_("Not found"),
                          message=_("There is no such page or alert."))
        return render(request, "error.html", exc.status_code, title=str(exc.status_code),
                      message=str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("console error on %s", request.url.path)
        _ = gettext(request)
        return render(request, "error.html", 500, title=_("Something went wrong"),
                      message=_("The console could not answer this request. The error was "
                                "logged; nothing was changed."))


# ---------------------------------------------------------------------- routes
def _routes(app: FastAPI) -> None:
    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/"):
        return render(request, "login.html", next=safe_next(next), error=None)

    @app.post("/login")
    def login(request: Request, name: str = Form(""), password: str = Form(""),
              csrf_token: str = Form(""), next: str = Form("/")):
        check_csrf(request, csrf_token)
        _ = gettext(request)
        client = request.client.host if request.client else "unknown"
        try:
            user = request.app.state.users.authenticate(name, password, client)
        except SignInRefused as exc:
            if exc.reason == "rate_limited":
                minutes = max(1, -(-(exc.retry_after or 60) // 60))
                error = (_("Too many failed sign-ins. Try again in %(minutes)s minutes.")
                         % {"minutes": minutes})
                response = render(request, "login.html", 429, next=safe_next(next),
                                  error=error)
                response.headers["Retry-After"] = str(exc.retry_after or 60)
                return response
            return render(request, "login.html", 401, next=safe_next(next),
                          error=_("Wrong name or password."))
        request.session.clear()  # a new session at sign-in: no fixation
        request.session.update({"user": user.name, "since": user.created_at,
                                "csrf": secrets.token_urlsafe(32)})
        return RedirectResponse(safe_next(next), status_code=303)

    @app.post("/logout")
    def logout(request: Request, csrf_token: str = Form("")):
        check_csrf(request, csrf_token)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/lang/{code}")
    def switch_language(code: str, next: str = "/"):
        response = RedirectResponse(safe_next(next), status_code=303)
        response.set_cookie(i18n.COOKIE, i18n.choose(code), max_age=365 * 24 * 3600,
                            samesite="lax", httponly=True)
        return response

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request, wall: int = 0, partial: int = 0):
        user = current_user(request)
        snap = _refresh(request)
        data = request.app.state.data
        cur = data.cursor()
        scope, day = scope_of(user), today(request)
        context = {
            # the wall asks every minute: computed once per change of the data
            "overview": data.cached(("overview", scope, day), lambda: queries.overview(
                cur, scope, day, snap.as_of)),
            "departments": departments(request),
            "wall": bool(wall), "refresh_seconds": WALL_REFRESH_SECONDS,
        }
        context["staff_names"] = queries.staff_names(
            cur, [r["staff_id"] for r in context["overview"]["cards"]["rows"]])
        if partial:
            return render(request, "_overview_body.html", **context)
        return render(request, "overview.html", **context)

    @app.get("/alerts")
    def alerts(request: Request):
        user = current_user(request)
        snap = _refresh(request)
        flt = queries.AlertFilter.from_params(request.query_params)
        cur = request.app.state.data.cursor()
        if request.query_params.get("format") == "csv":
            return _csv_export(request, user, flt, cur, snap)
        page = queries.alert_page(cur, flt, scope_of(user), today(request))
        scope, day = scope_of(user), today(request)
        choices = request.app.state.data.cached(
            ("choices", scope, day), lambda: queries.filter_choices(cur, scope, day))
        context = {"flt": flt, "result": page, "departments": departments(request),
                   "choices": choices,
                   "csv_url": flt.url(page=1) + ("&" if flt.params(page=1) else "?")
                   + "format=csv"}
        if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
            return render(request, "_alerts_page.html", **context)
        return render(request, "alerts.html", **context)

    @app.get("/alerts/{alert_id}", response_class=HTMLResponse)
    def alert(request: Request, alert_id: str):
        user = current_user(request)
        _refresh(request)
        return _alert_page(request, user, alert_id)

    @app.post("/alerts/{alert_id}/actions")
    def act(request: Request, alert_id: str, action: str = Form(""),
            csrf_token: str = Form(""), expected_seq: str = Form(""), note: str = Form(""),
            assignee: str = Form(""), dept: str = Form("")):
        user = current_user(request)
        check_csrf(request, csrf_token)
        _refresh(request)
        _ = gettext(request)
        item = _item_in_scope(request, user, alert_id)
        history = request.app.state.data.history(alert_id)
        state = lifecycle.fold(history).get(alert_id)
        try:
            seen = int(expected_seq)
        except ValueError:
            seen = None
        if seen is None:
            return _alert_page(request, user, alert_id, 400, error=_(
                "The form did not say which state of the alert it was filled in on; "
                "reload the page and try again."))
        if state is not None and state.last_seq != seen:
            return _alert_page(request, user, alert_id, 409, error=_(
                "This alert changed meanwhile (someone else acted on it after you opened "
                "the page). Nothing was recorded: read the history below and decide again."))
        if action not in allowed_actions(user, state, item):
            raise Forbidden("role")
        try:
            with store.connect(request.app.state.ledger) as con:
                row = lifecycle.act(
                    con, alert_id, action, user.name, note=note,
                    assignee=assignee.strip() or None, dept_code=dept.strip() or None,
                    clock=request.app.state.clock, expected_seq=seen)
        except lifecycle.StaleState:
            return _alert_page(request, user, alert_id, 409, error=_(
                "This alert changed meanwhile (someone else acted on it after you opened "
                "the page). Nothing was recorded: read the history below and decide again."))
        except lifecycle.LedgerError as exc:
            return _alert_page(request, user, alert_id, 400,
                               error=_("The ledger refused this action: %(reason)s")
                               % {"reason": exc})
        flash(request, "ok", _("Recorded: %(action)s (entry %(seq)s).")
              % {"action": _(labels.ACTION[row["action"]]), "seq": row["seq"]})
        return RedirectResponse(f"/alerts/{quote(alert_id)}", status_code=303)

    @app.get("/rules", response_class=HTMLResponse)
    def rules(request: Request):
        user = current_user(request)
        snap = _refresh(request)
        cur = request.app.state.data.cursor()
        return render(request, "rules.html", rules=queries.rules(cur, scope_of(user),
                                                                 today(request)),
                      unusual_share=queries.UNUSUAL_SHARE, min_sample=queries.MIN_SAMPLE,
                      has_catalog=snap.has_catalog)

    @app.get("/cards", response_class=HTMLResponse)
    def cards(request: Request, month: str = ""):
        user = current_user(request)
        snap = _refresh(request)
        chosen = None
        if month:
            try:
                chosen = dt.date.fromisoformat(month + "-01")
            except ValueError:
                raise queries.FilterError(f"month: {month!r} is not a month (YYYY-MM)") \
                    from None
        cur = request.app.state.data.cursor()
        result = queries.cards(cur, scope_of(user), chosen, snap.as_of or today(request))
        names = queries.staff_names(cur, [r["staff_id"] for r in result.get("staff", [])])
        return render(request, "cards.html", cards=result, staff_names=names,
                      departments=departments(request))

    @app.get("/ledger/verify", response_class=HTMLResponse)
    def verify(request: Request, expect_head: str = ""):
        user = current_user(request)
        require(user, "supervisor", "auditor")
        data = request.app.state.data
        if not data.ledger.exists():
            raise DataUnavailable(f"no ledger store at {data.ledger}")
        report = data.verify()
        wanted = expect_head.strip()
        in_chain = data.head_is_in_chain(wanted) if wanted and report is not None else None
        # report None: still being computed; the page reloads itself until it is there
        return render(request, "verify.html", report=report, expect_head=wanted,
                      in_chain=in_chain, checked_at=request.app.state.clock())


def allowed_actions(user: User, state: lifecycle.State | None, item: dict) -> list[str]:
    """The ledger actions this person may take on the alert in its current state."""
    if state is None:
        return []
    possible = [a for a, (after, _) in lifecycle.TRANSITIONS.items() if state.status in after]
    if user.is_supervisor:
        return possible
    if user.is_department:
        handling = state.handling_dept_code or item.get("dept_code")
        # feedback on items assigned or transferred to their department; nothing else
        if handling == user.dept_code and "feedback" in possible:
            return ["feedback"]
    return []


def _item_in_scope(request: Request, user: User, alert_id: str) -> dict:
    cur = request.app.state.data.cursor()
    item = queries.alert_item(cur, alert_id, None, today(request))
    if item is None:
        raise StarletteHTTPException(404)
    if user.is_department and item["handling_dept_code"] != user.dept_code:
        raise Forbidden("role")
    return item


def _alert_page(request: Request, user: User, alert_id: str, status_code: int = 200,
                error: str | None = None) -> HTMLResponse:
    data = request.app.state.data
    item = _item_in_scope(request, user, alert_id)
    cur = data.cursor()
    history = data.history(alert_id)
    state = lifecycle.fold(history).get(alert_id)
    if state is not None:  # the store is newer than the cache: show what the form acts on
        item.update(status=state.status, assignee=state.assignee, due_on=state.due_on,
                    handling_dept_code=state.handling_dept_code or item["dept_code"],
                    last_seq=state.last_seq,
                    overdue=lifecycle.is_overdue(state, today(request)))
    evidence = None
    if item["still_firing"] and "alerts" in data.snapshot.tables:
        evidence = queries.evidence_of(cur, data.parquet("alerts"), alert_id)
    register = None
    if evidence is None:  # stopped firing: the evidence the ledger last saw
        register = data.register_row(alert_id)
        evidence = queries._json(register["evidence"]) if register else None
    lang = language(request)
    explanation = item.get("explanation_zh" if lang == "zh_CN" else "explanation_en")
    return render(request, "alert.html", status_code, item=item, history=history,
                  evidence=evidence, from_register=register is not None,
                  rule=queries.rule(cur, item["rule_code"]), explanation=explanation,
                  actions=allowed_actions(user, state, item), error=error,
                  departments=departments(request),
                  staff_names=queries.staff_names(cur, [item.get("staff_id")]))


CSV_COLUMNS = ("alert_id", "rule_code", "rule_family", "severity", "status", "still_firing",
               "overdue", "occurred_on", "first_detected_on", "last_seen_on", "dept_code",
               "handling_dept_code", "assignee", "due_on", "subject_type", "subject_id",
               "staff_id", "metric_value", "threshold_value", "explanation_zh",
               "explanation_en", "evidence")


def _csv_export(request: Request, user: User, flt: queries.AlertFilter, cur, snap):
    """Exactly the filtered rows (every page), UTF-8 with a BOM so Excel reads Chinese."""
    data = request.app.state.data
    rows = queries.export_rows(cur, flt, scope_of(user), today(request),
                               data.parquet("alerts"))

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(CSV_COLUMNS)
        for n, row in enumerate(rows, 1):
            writer.writerow(["" if row.get(c) is None else
                             (str(row[c]).lower() if isinstance(row.get(c), bool)
                              else row[c]) for c in CSV_COLUMNS])
            if n % 2000 == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    stamp = request.app.state.clock().strftime("%Y%m%d-%H%M")
    name = f"searchlight-alerts-{stamp}.csv"
    return StreamingResponse(chunks(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
