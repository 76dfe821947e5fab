"""Apprise URLs are shown masked, errors never carry their secrets, addresses go where the service wants them."""

from opencoc.notifications import urls


def test_a_password_is_masked_and_the_host_kept() -> None:
    shown = urls.masked("mailtos://ops:hunter2@smtp.example.com?from=coc@example.com")
    assert "hunter2" not in shown and "smtp.example.com" in shown and shown.startswith("mailtos://")


def test_tokens_in_the_path_are_masked() -> None:
    shown = urls.masked("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ")
    assert "TIiajkdnlazkcOXrIdevi7FQ" not in shown and "A1BRTD4JD" not in shown


def test_an_address_is_shown_as_it_is() -> None:
    assert urls.masked("mailto:bob@example.com") == "mailto:bob@example.com"


def test_redaction_removes_every_secret_of_the_url_from_an_error() -> None:
    url = "json://admin:s3cr3tpass@hooks.example.com/path?token=tok123456"
    error = f"POST to {url} failed; auth admin:s3cr3tpass rejected for token tok123456 at hooks.example.com"
    redacted = urls.redact(error, url)
    assert "s3cr3tpass" not in redacted and "hooks.example.com" in redacted


def test_addresses_become_to_for_email_and_fill_targets_elsewhere() -> None:
    assert urls.with_addresses("mailto://h.example.com?from=a@example.com", ["b@example.com", "c+x@example.com"]) == (
        "mailto://h.example.com?from=a@example.com&to=b@example.com,c+x@example.com"
    )
    assert urls.with_addresses("sns://k/s/r/{targets}", ["+15551234567"]) == "sns://k/s/r/+15551234567"
    assert urls.with_addresses("slack://T/B/C", ["b@example.com"]) == "slack://T/B/C"


def test_address_form_is_told_apart_from_a_service_url() -> None:
    assert urls.is_address("mailto:bob@example.com")
    assert not urls.is_address("mailto://user:pass@example.com")
    assert urls.valid_address("mailto:bob@example.com") and not urls.valid_address("mailto:not-an-address")
