"""The follow-up note starts empty and keeps the history (issue 13, point 4): each save adds its
note to the log; the finding keeps the latest; a save without a note keeps it."""

from __future__ import annotations

from django.urls import reverse

from huican.matching.models import Finding


def test_notes_are_added_not_replaced(client, fworld):
    finding = fworld.finding(fworld.near)
    url = reverse("matching:detail", args=[finding.pk])
    client.force_login(fworld.users["county"])
    first = client.post(url, {"status": "已核实-需处理", "assigned_to": "", "note": "电话联系本人，属实"})
    assert first.status_code == 302
    page = client.get(url)
    assert page.context["form"]["note"].value() == ""  # the box starts empty
    client.post(url, {"status": "已核实-需处理", "assigned_to": "", "note": "已通知乡镇办理参保"})
    client.post(url, {"status": "待核实", "assigned_to": "", "note": ""})  # a status change alone
    finding = Finding.objects.get(pk=finding.pk)
    assert (finding.status, finding.note) == ("待核实", "已通知乡镇办理参保")
    log = client.get(url).context["log"]
    assert [entry["note"] for entry in log] == ["电话联系本人，属实", "已通知乡镇办理参保", ""]
    # closing still needs a note of its own
    refused = client.post(url, {"status": "已处理", "assigned_to": "", "note": ""})
    assert refused.status_code == 400
