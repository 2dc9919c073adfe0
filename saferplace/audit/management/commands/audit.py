"""`saferplace audit verify`: check the audit trail's hash chain; exit 1 if anything was edited
or deleted. `saferplace audit verify --in-background` queues the same check for the worker."""

from django.core.management.base import BaseCommand, CommandError

from saferplace.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Work with the audit trail."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check that no entry has been edited or deleted.")
        verify.add_argument("--in-background", action="store_true", help="Queue the check for `saferplace worker`.")

    def handle(self, *args, action, in_background=False, **options):
        if in_background:
            from saferplace.audit.tasks import verify_audit_chain

            result = verify_audit_chain.enqueue()
            self.stdout.write(f"Queued audit check {result.id}; `saferplace worker` will run it.")
            return
        report = audit_chain_verify()
        if report.intact:
            self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {report.entries_checked} entries checked."))
            return
        for problem in report.problems:
            self.stderr.write(str(problem))
        raise CommandError(
            f"Audit trail broken: {len(report.problems)} problem(s) in {report.entries_checked} entries."
        )
