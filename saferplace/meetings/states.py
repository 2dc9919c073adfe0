"""An item's starting states and the moves between them, installed by a migration (data: a
partnership may change them afterwards; installing again adds only what is missing)."""

STATES = [("new", "New", False, 1), ("in_hand", "In hand", False, 2), ("monitoring", "Monitoring", False, 3),
          ("closed", "Closed", True, 4)]
TRANSITIONS = [("new", "in_hand"), ("new", "monitoring"), ("new", "closed"), ("in_hand", "monitoring"),
               ("in_hand", "closed"), ("monitoring", "in_hand"), ("monitoring", "closed"), ("closed", "in_hand")]


def item_states_install(state_model, transition_model) -> None:
    for code, name, is_closed, order in STATES:
        state_model.objects.get_or_create(code=code, defaults={"name": name, "is_closed": is_closed, "order": order})
    for from_code, to_code in TRANSITIONS:
        transition_model.objects.get_or_create(from_state_id=from_code, to_state_id=to_code)
