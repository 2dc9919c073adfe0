"""`saferplace audit verify [--checkpoints FILE] [--in-background]`: check the audit trail's
hash chain and its signed checkpoints; exit 1 if anything was edited, deleted, recomputed or cut
off. `saferplace audit checkpoint`: write a signed checkpoint of the chain's head now (the
worker writes one every AUDIT_CHECKPOINT_MINUTES)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saferplace.audit.selectors import audit_chain_verify
from saferplace.audit.services import audit_checkpoint_write
from saferplace.audit.tasks import verify_audit_chain


class Command(BaseCommand):
    help = "Work with the audit trail."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check that no entry has been edited, deleted or cut off.")
        verify.add_argument("--in-background", action="store_true", help="Queue the check for `saferplace worker`.")
        verify.add_argument("--checkpoints", type=Path, metavar="FILE",
                            help="checkpoint lines kept elsewhere (e.g. exported from a log sink)")
        sub.add_parser("checkpoint", help="Write a signed checkpoint of the chain's head to AUDIT_CHECKPOINT_SINK.")

    def handle(self, *args, action, in_background=False, checkpoints=None, **options):
        if action == "checkpoint":
            written = audit_checkpoint_write()
            if written is None:
                self.stdout.write("The audit trail is empty: nothing to checkpoint.")
            else:
                self.stdout.write(self.style.SUCCESS(f"Checkpoint of entry #{written[0].sequence} written to {written[1]}."))
            return
        if in_background:
            result = verify_audit_chain.enqueue()
            self.stdout.write(f"Queued audit check {result.id}; `saferplace worker` will run it.")
            return
        lines = None
        if checkpoints is not None:
            try:
                lines = checkpoints.read_text(encoding="utf-8").splitlines()
            except OSError as error:
                raise CommandError(f"{checkpoints}: {error.strerror}") from error
        report = audit_chain_verify(checkpoint_lines=lines)
        if report.intact:
            checked = (f" and {report.checkpoints_checked} checkpoint(s)" if report.checkpoints_available
                       else "; checkpoints go to the log: pass them with --checkpoints FILE to check them too")
            self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {report.entries_checked} entries checked{checked}."))
            return
        for problem in [*report.problems, *report.checkpoint_problems]:
            self.stderr.write(str(problem))
        total = len(report.problems) + len(report.checkpoint_problems)
        raise CommandError(f"Audit trail broken: {total} problem(s) in {report.entries_checked} entries.")
