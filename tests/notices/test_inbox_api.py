"""`/api/v1/notices/` and the inbox page."""

URL = "/api/v1/notices/"


def test_after_lists_what_came_after_a_sequence_number_oldest_first(api_as, demo, make_sheet):
    for _ in range(5):
        make_sheet()
    body = api_as(demo.user("sh-liaison")).get(URL, {"after": 2}).json()
    assert [n["seq"] for n in body["results"]] == [3, 4, 5]


def test_a_user_sees_only_their_own_notices(api_as, demo, make_sheet):
    make_sheet()
    assert api_as(demo.user("zj-liaison")).get(URL).json()["count"] == 0
    assert api_as(demo.user("zj-liaison")).get(f"{URL}1/").status_code == 404


def test_read_and_read_all_are_idempotent(api_as, demo, make_sheet):
    make_sheet()
    make_sheet()
    client = api_as(demo.user("sh-liaison"))
    assert client.get(f"{URL}unread-count/").json() == {"unread": 2, "last_seq": 2}
    first = client.post(f"{URL}1/read/").json()
    again = client.post(f"{URL}1/read/").json()
    assert first["read"] is True and first["read_at"] == again["read_at"]
    assert client.post(f"{URL}read-all/", {}, format="json").json() == {"marked": 1, "unread": 0}
    assert client.post(f"{URL}read-all/", {}, format="json").json()["marked"] == 0
    assert client.post(f"{URL}99/read/").status_code == 404
    assert client.get(URL, {"unread": "true"}).json()["count"] == 0
    assert client.get(URL, {"after": "x"}).status_code == 400


def test_the_inbox_page_lists_notices_and_opening_one_marks_it_read(client, demo, make_sheet):
    sheet = make_sheet()
    client.force_login(demo.user("sh-liaison"))
    page = client.get("/inbox/").content.decode()
    assert sheet.reference in page and 'data-unread="1"' in page
    response = client.post("/inbox/1/open/")
    assert response.status_code == 302 and response["Location"] == f"/cases/assignment-sheets/{sheet.pk}/"
    assert 'data-unread="0"' in client.get("/inbox/?unread=1").content.decode()


def test_the_case_page_shows_actions_and_fires_them(client, demo, make_sheet):
    sheet = make_sheet()
    client.force_login(demo.user("sh-liaison"))
    url = f"/cases/assignment-sheets/{sheet.pk}/"
    page = client.get(url).content.decode()
    assert "受理" in page and "<svg" in page and sheet.reference in page
    response = client.post(f"{url}transitions/accept/", {"version": "1"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.state == "accepted"
    failed = client.post(f"{url}transitions/reply/", {"version": "2", "result": ""}, follow=True)
    assert "field-error" in failed.content.decode()
    client.force_login(demo.user("zj-liaison"))
    assert client.get(url).status_code == 404
