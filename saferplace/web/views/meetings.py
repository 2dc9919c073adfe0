"""The meeting pages: the series a person's agency is a member of, a meeting's agenda (the chair
reorders, drops, merges and adds before and during it), the meeting run live (followers' pages
ask every second whether anything changed and redraw the live part when it did), an agency's
concern put forward, an item's decision with its actions, and an item's whole history.

Every action is a POST that calls one service and comes back to the meeting; a refusal or a
mistake comes back as a message naming what was wrong."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from saferplace.errors import NotAllowed
from saferplace.meetings.agenda import agenda_prepare
from saferplace.meetings.models import AttendanceMode, MeetingStatus
from saferplace.meetings.selectors import (
    agenda,
    attendance,
    entry_get,
    item_get,
    item_next_states,
    item_timeline,
    meeting_get,
    meetings_of,
    people_to_invite,
    series_get,
    series_list,
)
from saferplace.meetings.services import (
    Action,
    agenda_add,
    agenda_drop,
    agenda_reorder,
    concern_raise,
    hand_raise,
    hands_lower,
    item_decide,
    item_engage,
    item_note_add,
    item_reveal,
    items_merge,
    meeting_close,
    meeting_join,
    meeting_move_to,
    meeting_open,
    series_change,
    series_create,
)
from saferplace.partners import access
from saferplace.places.selectors import places_to_act_in
from saferplace.tasking.selectors import volunteer_area_names
from saferplace.web.meeting_forms import AddItemForm, ConcernForm, DecisionForm, SeriesForm
from saferplace.web.views.common import capability_required, page

CHAIR_ACTIONS = {"open", "close", "add", "move-to", "up", "down", "drop", "merge", "engage", "lower-hands"}


def _member(view):
    """Signed in, and a role that takes part in meetings (which series: the selectors say)."""
    @capability_required("meetings.attend")
    def gate(request, *args, **kwargs):
        return view(request, *args, **kwargs)
    gate.__name__ = view.__name__
    return gate


def _back(meeting_id: int, anchor: str = ""):
    response = redirect("web:meeting-detail", meeting_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _attempt(request, meeting_id: int, action, *, done: str = "", anchor: str = ""):
    """Run a service; its refusal or complaint comes back to the meeting as a message."""
    try:
        action()
    except (ValueError, NotAllowed) as refused:
        messages.error(request, str(refused))
    else:
        if done:
            messages.success(request, done)
    return _back(meeting_id, anchor)


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() and len(str(value)) < 12 else None


@_member
def series_index(request):
    viewer = request.viewer
    return page(request, "meetings/series_list.html", active="meetings", series=list(series_list(viewer=viewer)),
                may_set_up=access.can(viewer, "meetings.chair"))


@capability_required("meetings.chair")
def series_new(request):
    """A chair sets up a meeting series, run by their organisation and chaired by them."""
    viewer = request.viewer
    form = SeriesForm(request.POST or None, places=places_to_act_in(), people=people_to_invite(viewer=viewer))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = series_create(viewer=viewer, chair=viewer.user, name=data["name"], kind=data["kind"],
                                   place=data["place"], member_organisations=list(data["member_organisations"]),
                                   weekdays=data["weekdays"], starts_at=data["starts_at"],
                                   minutes_long=data["minutes_long"], video_link=data["video_link"],
                                   members=list(data["members"]))
        except (ValueError, NotAllowed) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{series.name} is set up. Its next agenda is drafted each morning.")
            return redirect("web:meeting-series", series.pk)
    return page(request, "meetings/series_new.html", active="meetings", form=form, status=400 if form.errors else 200)


@capability_required("meetings.chair")
def series_edit(request, series_id: int):
    viewer = request.viewer
    series = series_get(viewer=viewer, series_id=series_id)
    access.require(viewer, "meetings.chair", series)
    initial = {"name": series.name, "kind": series.kind, "place": series.place_id, "weekdays": series.weekdays,
               "member_organisations": list(series.member_organisations.values_list("pk", flat=True)),
               "members": list(series.members.values_list("pk", flat=True)), "starts_at": series.starts_at.strftime("%H:%M"),
               "minutes_long": series.minutes_long, "video_link": series.video_link, "active": series.active}
    form = SeriesForm(request.POST or None, places=places_to_act_in(), people=people_to_invite(viewer=viewer),
                      initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series_change(viewer=viewer, series=series, name=data["name"], kind=data["kind"], place=data["place"],
                          member_organisations=list(data["member_organisations"]), weekdays=data["weekdays"],
                          starts_at=data["starts_at"], minutes_long=data["minutes_long"],
                          video_link=data["video_link"], members=list(data["members"]), active=data["active"])
        except (ValueError, NotAllowed) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{series.name} is changed.")
            return redirect("web:meeting-series", series.pk)
    return page(request, "meetings/series_new.html", active="meetings", form=form, series=series,
                status=400 if form.errors else 200)


@_member
def series_detail(request, series_id: int):
    viewer = request.viewer
    series = series_get(viewer=viewer, series_id=series_id)
    return page(request, "meetings/series.html", active="meetings", series=series,
                meetings=meetings_of(viewer=viewer, series=series),
                may_chair=access.can(viewer, "meetings.chair", series),
                open_items=series.items.filter(state__is_closed=False, merged_into__isnull=True).select_related("state"))


@_member
def concern_new(request, series_id: int):
    viewer = request.viewer
    series = series_get(viewer=viewer, series_id=series_id)
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = concern_raise(viewer=viewer, series=series, **form.cleaned_data)
        except (ValueError, NotAllowed) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"“{item.title}” is put forward for the next meeting.")
            return redirect("web:meeting-series", series.pk)
    return page(request, "meetings/concern.html", active="meetings", series=series, form=form,
                status=400 if form.errors else 200)


@require_POST
@capability_required("meetings.chair")
def prepare_now(request, series_id: int):
    series = series_get(viewer=request.viewer, series_id=series_id)
    try:
        drafted = agenda_prepare(viewer=request.viewer, series=series)
    except (ValueError, NotAllowed) as refused:
        messages.error(request, str(refused))
        return redirect("web:meeting-series", series.pk)
    messages.success(request, f"The agenda is drafted: {drafted.added} new on it.")
    return redirect("web:meeting-detail", drafted.meeting.pk)


def _meeting_context(request, meeting) -> dict:
    viewer = request.viewer
    shown = agenda(viewer=viewer, meeting=meeting, dropped=True)
    present = attendance(viewer=viewer, meeting=meeting)
    mine = next((row for row in present if row.user_id == viewer.user_id), None)
    return {"meeting": meeting, "series": meeting.series, "entries": [one for one in shown if not one.entry.dropped_reason],
            "dropped": [one for one in shown if one.entry.dropped_reason], "attendance": present, "mine": mine,
            "is_chair": access.can(viewer, "meetings.chair", meeting.series), "modes": AttendanceMode.choices,
            "members": meeting.series.member_organisations.order_by("name"), "live": meeting.status == MeetingStatus.LIVE,
            "closed": meeting.status == MeetingStatus.CLOSED}


@_member
def meeting_detail(request, meeting_id: int):
    meeting = meeting_get(viewer=request.viewer, meeting_id=meeting_id)
    return page(request, "meetings/meeting.html", active="meetings", add_form=AddItemForm(),
                **_meeting_context(request, meeting))


@_member
def meeting_live(request, meeting_id: int):
    """The live part of the meeting page, when its version moved on from the one the page has
    (204, nothing to redraw, otherwise)."""
    meeting = meeting_get(viewer=request.viewer, meeting_id=meeting_id)
    if _int(request.GET.get("version")) == meeting.version:
        return HttpResponse(status=204)
    return page(request, "meetings/_live.html", **_meeting_context(request, meeting))


@require_POST
@_member
def join(request, meeting_id: int):
    meeting = meeting_get(viewer=request.viewer, meeting_id=meeting_id)
    mode = request.POST.get("mode", AttendanceMode.REMOTE)
    return _attempt(request, meeting.pk, lambda: meeting_join(viewer=request.viewer, meeting=meeting, mode=mode),
                    done="Your attendance is recorded.")


@require_POST
@_member
def hand(request, meeting_id: int):
    meeting = meeting_get(viewer=request.viewer, meeting_id=meeting_id)
    raised = request.POST.get("raised") == "yes"
    return _attempt(request, meeting.pk, lambda: hand_raise(viewer=request.viewer, meeting=meeting, raised=raised),
                    done="Your hand is raised: the chair sees it." if raised else "Your hand is lowered.")


@require_POST
@_member
def note(request, meeting_id: int, item_id: int):
    meeting = meeting_get(viewer=request.viewer, meeting_id=meeting_id)
    item = item_get(viewer=request.viewer, item_id=item_id)
    return _attempt(request, meeting.pk, lambda: item_note_add(viewer=request.viewer, meeting=meeting, item=item,
                                                               text=request.POST.get("text", "")[:5000]),
                    done="Added to the item.", anchor=f"item-{item.pk}")


@require_POST
@_member
def reveal(request, meeting_id: int, item_id: int):
    meeting = meeting_get(viewer=request.viewer, meeting_id=meeting_id)
    item = item_get(viewer=request.viewer, item_id=item_id)
    return _attempt(request, meeting.pk, lambda: item_reveal(viewer=request.viewer, item=item, meeting=meeting,
                                                             reason=request.POST.get("reason", "")[:2000]),
                    done="The details are shown below the item, and your reason is recorded.", anchor=f"item-{item.pk}")


@require_POST
@capability_required("meetings.chair")
def chair_action(request, meeting_id: int, action: str):
    """The chair's buttons: open, close, move to an item, move one up or down, drop, merge, add,
    engage an agency."""
    viewer, post = request.viewer, request.POST
    if action not in CHAIR_ACTIONS:
        return HttpResponse("There is no such action.", status=404, content_type="text/plain; charset=utf-8")
    meeting = meeting_get(viewer=viewer, meeting_id=meeting_id)
    entry = entry_get(viewer=viewer, meeting=meeting, entry_id=_int(post.get("entry")) or 0) if post.get("entry") else None
    if action == "open":
        return _attempt(request, meeting.pk, lambda: meeting_open(viewer=viewer, meeting=meeting), done="The meeting is open.")
    if action == "close":
        send = post.get("send_minutes") == "yes"
        return _attempt(request, meeting.pk, lambda: meeting_close(viewer=viewer, meeting=meeting, send_minutes=send),
                        done="The meeting is closed. " + ("The minutes are being sent to everyone who attended."
                                                          if send else "Send the minutes from the minutes page."))
    if action == "lower-hands":
        return _attempt(request, meeting.pk, lambda: hands_lower(viewer=viewer, meeting=meeting), done="Hands lowered.")
    if action == "add":
        form = AddItemForm(post)
        if not form.is_valid():
            messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
            return _back(meeting.pk, "add-item")
        return _attempt(request, meeting.pk, lambda: agenda_add(viewer=viewer, meeting=meeting, **form.cleaned_data),
                        done="The item is added to the agenda.")
    if entry is None:
        messages.error(request, "Choose an item on the agenda.")
        return _back(meeting.pk)
    if action == "move-to":
        return _attempt(request, meeting.pk, lambda: meeting_move_to(viewer=viewer, meeting=meeting, entry=entry))
    if action in ("up", "down"):
        order = [one.pk for one in meeting.entries.filter(dropped_reason="").order_by("position", "id")]
        at = order.index(entry.pk) if entry.pk in order else 0
        swap = at - 1 if action == "up" else at + 1
        if 0 <= swap < len(order):
            order[at], order[swap] = order[swap], order[at]
        return _attempt(request, meeting.pk, lambda: agenda_reorder(viewer=viewer, meeting=meeting, entry_ids=order),
                        anchor=f"item-{entry.item_id}")
    if action == "drop":
        return _attempt(request, meeting.pk, lambda: agenda_drop(viewer=viewer, meeting=meeting, entry=entry,
                                                                 reason=post.get("reason", "")[:2000]),
                        done="The item is dropped from this agenda.")
    if action == "merge":
        into = entry_get(viewer=viewer, meeting=meeting, entry_id=_int(post.get("into")) or 0)
        return _attempt(request, meeting.pk, lambda: items_merge(viewer=viewer, meeting=meeting, entry=entry, into=into),
                        done="The items are merged.")
    if action == "engage":
        organisation = meeting.series.member_organisations.filter(pk=_int(post.get("organisation")) or 0).first()
        if organisation is None:
            messages.error(request, "Choose an agency that is a member of this meeting.")
            return _back(meeting.pk, f"item-{entry.item_id}")
        engaged = post.get("engaged", "yes") == "yes"
        return _attempt(request, meeting.pk, lambda: item_engage(viewer=viewer, meeting=meeting, item=entry.item,
                                                                 organisation=organisation, engaged=engaged),
                        done=f"{organisation.name} {'is engaged' if engaged else 'is no longer engaged'} on the item.",
                        anchor=f"item-{entry.item_id}")
    raise AssertionError(action)


@capability_required("meetings.chair")
def decide(request, meeting_id: int, item_id: int):
    viewer = request.viewer
    meeting = meeting_get(viewer=viewer, meeting_id=meeting_id)
    item = item_get(viewer=viewer, item_id=item_id)
    access.require(viewer, "meetings.chair", meeting.series)
    members = meeting.series.member_organisations.order_by("name")
    states = sorted([item.state, *item_next_states(item)], key=lambda state: state.order)
    form = DecisionForm(request.POST or None, members=members, states=states, places=places_to_act_in(),
                        volunteer_areas=", ".join(volunteer_area_names()), today=timezone.localdate(),
                        initial={"state": item.state_id, "lead": item.lead_id, "review_date": item.review_date})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item_decide(viewer=viewer, meeting=meeting, item=item, decision=data["decision"], state=data["state"],
                        lead=data["lead"], supporting=list(data["supporting"]), review_date=data["review_date"],
                        threshold_met=data["threshold_met"], actions=[Action(**action) for action in form.actions()])
        except (ValueError, NotAllowed) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "The decision is recorded and its actions are tasked.")
            return _back(meeting.pk, f"item-{item.pk}")
    return page(request, "meetings/decide.html", active="meetings", meeting=meeting, item=item, form=form,
                status=400 if form.errors else 200)


@_member
def item_detail(request, item_id: int):
    viewer = request.viewer
    item = item_get(viewer=viewer, item_id=item_id)
    return page(request, "meetings/item.html", active="meetings", item=item, events=item_timeline(viewer=viewer, item=item),
                meetings=[entry.meeting for entry in item.entries.select_related("meeting").order_by("meeting__date")])

