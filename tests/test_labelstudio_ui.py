"""The annotation loop through Label Studio's own web UI, driven in Debian's headless Chromium.

Log in with the admin's form, open the task that holds "394项", find the extractor's candidates
pre-annotated (show_collab_predictions: the editor opens a draft copied from the prediction), then
accept it as is or fix one field, press Submit, and see the bot's store and answer change.

What the UI sends differs from the SDK path in tests/test_labelstudio.py only in ways the review
reader already accepts: region ids are the prediction's (f186 …), every item carries
origin "prediction" (or "prediction-changed" for an edited region), per-region Choices carry the
region's "text", and the annotation has parent_prediction set to the prediction's id.
"""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import Page, expect

from .test_web import browser  # noqa: F401

pytestmark = [pytest.mark.labelstudio, pytest.mark.browser]

TIMEOUT_MS = 30_000  # the data manager and the editor load about 5 MB of script
ANSWER_SECONDS = 5.0


class Labeling:
    """One logged-in tab on a task of the loop's project, with the annotation it POSTs on submit."""

    def __init__(self, page: Page, loop, ls_server) -> None:
        self.page, self.loop = page, loop
        page.set_default_timeout(TIMEOUT_MS)
        self.page_errors: list[str] = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.goto(f"{ls_server.url}/user/login/")
        page.fill("input[name=email]", ls_server.credentials.username)
        page.fill("input[name=password]", ls_server.credentials.password)
        page.locator("form button[type=submit], form input[type=submit]").first.click()
        page.wait_for_url(lambda url: "/user/login" not in url)
        self.task = loop.task_with("394项")
        page.goto(f"{ls_server.url}/projects/{loop.project_id}/data?task={self.task.id}")
        # the prediction shown as pre-annotations: highlighted in the text and listed as regions
        expect(self.page.locator('.htx-highlight[data-label$=":数值"]').filter(has_text="394项")).to_be_visible()
        expect(self.region("394项")).to_be_visible()
        self.submit_button = page.get_by_role("button", name="Submit current annotation")
        expect(self.submit_button).to_be_enabled()

    def region(self, text: str):
        return self.page.locator(".lsf-outliner-item").filter(has_text="数值").filter(has_text=text)

    def field(self, name: str):
        """A per-region TextArea of the selected region (shown once a 数值 region is selected)."""
        return self.page.get_by_test_id("textarea-region").filter(has=self.page.locator(f'[name^="{name}:"]'))

    def edit(self, name: str, text: str) -> None:
        box = self.field(name)  # its view and its editor both carry name="<field>:<region>"
        box.hover()  # the edit button appears on hover
        box.get_by_test_id("htx-textbox-edit-button").click()
        box.get_by_test_id("htx-textbox-input").fill(text)
        box.get_by_test_id("htx-textbox-save").click()
        expect(box).to_have_text(text)

    def submit(self) -> tuple[dict, float]:
        """Press Submit; the annotation the UI POSTed, and the time the press happened."""
        path = f"/api/tasks/{self.task.id}/annotations"
        with self.page.expect_response(lambda r: path in r.url and r.request.method == "POST") as response:
            self.submit_button.click()
            pressed = time.monotonic()
        assert response.value.status == 201, response.value.text()
        return json.loads(response.value.request.post_data or "{}"), pressed


def _wait_for(fn, timeout: float = ANSWER_SECONDS):
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def _fact(loop, value: float):
    return next(f for f in loop.store.facts(zone="青岛高新区") if f.value == value)


@pytest.fixture
def labeling(browser, loop, ls_server):  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    tab = Labeling(context.new_page(), loop, ls_server)
    yield tab
    context.close()
    assert tab.page_errors == []


def test_accepting_the_pre_annotation_in_the_ui_verifies_the_fact(labeling, loop):
    assert "未核实" in loop.ask()["text"]
    sent, pressed = labeling.submit()
    prediction = next(iter(loop.link.ls.predictions.list(task=labeling.task.id)))
    assert sent["parent_prediction"] == prediction.id
    region = [i for i in sent["result"] if i.get("id") == f"f{_fact(loop, 394).id}"]
    assert region and {i["origin"] for i in region} == {"prediction"}

    reply = _wait_for(lambda: (r := loop.ask()) and "已核实" in r["text"] and r)
    elapsed = time.monotonic() - pressed
    assert reply, loop.ask()
    assert reply["facts"][0]["value"] == 394 and reply["facts"][0]["status"] == "verified"
    fact = _fact(loop, 394)
    assert fact.status == "verified"
    assert loop.store.history(fact.id)[-1]["action"] == "verified"
    assert elapsed <= ANSWER_SECONDS, f"Submit → changed answer took {elapsed:.2f} s"


def test_fixing_a_value_in_the_ui_corrects_the_fact(labeling, loop):
    rid = f"f{_fact(loop, 394).id}"
    labeling.region("394项").click()
    expect(labeling.field("value")).to_have_text("394")
    labeling.edit("value", "395")
    sent, pressed = labeling.submit()
    value = next(i for i in sent["result"] if i.get("id") == rid and i["from_name"] == "value")
    assert value["value"]["text"] == ["395"] and value["origin"] == "prediction-changed"

    reply = _wait_for(lambda: (r := loop.ask()) and r["facts"] and r["facts"][0]["value"] == 395 and r)
    assert reply, loop.ask()
    assert "395项" in reply["text"]
    fact = _fact(loop, 395)
    assert loop.store.history(fact.id)[-1]["action"] == "corrected"
    assert time.monotonic() - pressed <= ANSWER_SECONDS
