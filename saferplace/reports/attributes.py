"""A service's questions answered: each answer checked against its question's datatype, so what
is stored is what the question asked for (a number, a date, one of the listed values)."""

from datetime import datetime

from django.utils.dateparse import parse_datetime

from saferplace.reports.models import AttributeType, Service

STRING_MOST, TEXT_MOST, NUMBER_MOST = 300, 5000, 1e12


def _number(value: str, question: str) -> str:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{question}: give a number") from None
    if number != number or abs(number) > NUMBER_MOST:
        raise ValueError(f"{question}: give a number")
    return value.strip()


def _moment(value: str, question: str) -> str:
    try:
        moment = parse_datetime(value.strip())
    except ValueError:
        moment = None
    if moment is None or not (datetime(1900, 1, 1) <= moment.replace(tzinfo=None) <= datetime(2100, 1, 1)):
        raise ValueError(f"{question}: give a date and time, e.g. 2026-11-28T09:30:00Z")
    return moment.isoformat()


def answers_checked(service: Service, given: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
    """The answers to `service`'s questions from `given` ({code: text, or a list for a list of
    values}); answers to questions it does not ask are left out. A ValueError names the
    question and what is wrong."""
    answers: dict[str, str | list[str]] = {}
    for attribute in service.attributes.all():
        if not attribute.variable:
            continue
        question = attribute.description
        raw = given.get(attribute.code)
        values = [str(item) for item in raw] if isinstance(raw, list) else ([] if raw is None else [str(raw)])
        values = [value for value in values if value.strip()]
        if not values:
            if attribute.required:
                raise ValueError(f"{question}: this question needs an answer (attribute[{attribute.code}])")
            continue
        keys = {str(choice.get("key")) for choice in attribute.values}
        if attribute.datatype == AttributeType.MULTI:
            unknown = [value for value in values if value not in keys]
            if unknown or len(values) > len(keys):
                raise ValueError(f"{question}: choose from the listed values")
            answers[attribute.code] = list(dict.fromkeys(values))
            continue
        value = values[0]
        if attribute.datatype == AttributeType.SINGLE and value not in keys:
            raise ValueError(f"{question}: choose one of the listed values")
        if attribute.datatype == AttributeType.NUMBER:
            value = _number(value, question)
        elif attribute.datatype == AttributeType.DATETIME:
            value = _moment(value, question)
        most = TEXT_MOST if attribute.datatype == AttributeType.TEXT else STRING_MOST
        if len(value) > most:
            raise ValueError(f"{question}: at most {most} characters")
        answers[attribute.code] = value.strip()
    return answers
