"""Errors on console paths are pages, not the API's JSON envelopes."""

from fastapi import FastAPI, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from opencoc.console import render
from opencoc.console.session import SIGN_IN_PATH, CsrfRefused, SignInRequired

PREFIX = "/console"
TITLES = {403: "Not allowed", 404: "Not found", 429: "Too many attempts", 500: "Something went wrong"}


def owns(request: Request) -> bool:
    """Whether the request is the console's (its errors are pages)."""
    path = request.url.path
    return path == PREFIX or path.startswith(PREFIX + "/")


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """The error page (without the header's counts: it must render even when the database cannot)."""
    title = TITLES.get(status, "Request refused")
    return render.templates.TemplateResponse(
        request, "error.html", {"me": None, "title": title, "message": message, "status": status}, status_code=status
    )


def _to_sign_in(request: Request) -> Response:
    if render.is_htmx(request):  # htmx follows this header with a full page load
        return Response(status_code=401, headers={"HX-Redirect": SIGN_IN_PATH})
    return RedirectResponse(SIGN_IN_PATH, status_code=303)


def install(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return _to_sign_in(request)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, exc: CsrfRefused) -> Response:
        return error_page(request, 403, "This form has expired or did not come from the console. Reload the page.")
