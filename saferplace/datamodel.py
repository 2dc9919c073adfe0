"""docs/data-model.md, drawn from the models themselves so it cannot drift: every app's tables,
their fields and how they relate, with a Mermaid diagram per app (GitHub renders it).

    .venv/bin/python -m saferplace.datamodel > docs/data-model.md

`tests/test_data_model.py` fails when the file is not what this prints."""

import os

APPS = ["partners", "audit", "places", "incidents", "analysis", "notifications", "tasking", "meetings", "reports", "worker"]

INTRODUCTION = """# Data model

Generated from the code by `python -m saferplace.datamodel` (see the module); a test keeps it
true. Each app's tables, their fields, and the links between them. Event tables (`…Event`) are
the timelines of the records they point at (`saferplace/history.py`): typed rows written in the
same transaction as each change. Every record about people carries an owning organisation and a
data category, the two facts the access policy reads (`docs/data-sharing.md`).
"""


def _field_type(field) -> str:
    if field.is_relation:
        target = field.related_model._meta
        kind = "many to many" if field.many_to_many else "one to one" if field.one_to_one else "link"
        return f"{kind} → {target.app_label}.{target.object_name}"
    return field.get_internal_type().removesuffix("Field") or field.get_internal_type()


def _mermaid_name(model) -> str:
    return model._meta.object_name


def _diagram(models) -> list[str]:
    """The links between the app's tables, and to other apps' tables (named app.Table)."""
    own = set(models)
    lines = ["```mermaid", "erDiagram"]
    for model in models:
        for field in model._meta.get_fields():
            if not field.concrete or not field.is_relation or field.related_model in (None, model):
                continue
            target = field.related_model
            name = _mermaid_name(target) if target in own else f'"{target._meta.app_label}.{target._meta.object_name}"'
            cardinality = "}o--o{" if field.many_to_many else "|o--o|" if field.one_to_one else "}o--o|"
            lines.append(f"    {_mermaid_name(model)} {cardinality} {name} : {field.name}")
    lines.append("```")
    return lines


def render() -> str:
    from django.apps import apps

    out = [INTRODUCTION]
    for label in APPS:
        config = apps.get_app_config(label)
        models = sorted(config.get_models(), key=lambda model: model._meta.object_name)
        if not models:
            continue
        out.append(f"## {config.verbose_name} (`saferplace.{label}`)\n")
        out.extend(_diagram(models))
        out.append("")
        for model in models:
            meta = model._meta
            doc = (model.__doc__ or "").strip()
            out.append(f"### {meta.object_name}\n")
            if doc and not doc.startswith(f"{meta.object_name}("):
                out.append(" ".join(doc.split()) + "\n")
            out.append("| field | type | notes |")
            out.append("|---|---|---|")
            for field in [*meta.concrete_fields, *meta.many_to_many]:
                notes = []
                if getattr(field, "primary_key", False):
                    notes.append("primary key")
                if getattr(field, "unique", False) and not field.primary_key:
                    notes.append("unique")
                if getattr(field, "null", False):
                    notes.append("optional")
                if getattr(field, "choices", None) and not field.is_relation:
                    notes.append("one of: " + ", ".join(str(value) for value, _ in field.choices if value != ""))
                help_text = str(getattr(field, "help_text", "") or "")
                if help_text:
                    notes.append(help_text)
                text = "; ".join(notes).replace("|", "\\|")
                out.append(f"| `{field.name}` | {_field_type(field)} | {text} |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplace.settings")
    import django

    django.setup()
    print(render(), end="")
