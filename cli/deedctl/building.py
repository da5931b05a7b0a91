"""deedctl building: the registry's site inspection (实地查看) of a completed building, which its
first registration needs in Chongqing (CQ 21), and the building's first registration."""

from __future__ import annotations

import typer

from cli.deedctl.common import (
    REQUEST_ID_HELP,
    Options,
    as_dict,
    emit,
    enum_name,
    key_value_table,
    request_id,
    run,
    when,
)
from deedflow.transfer.v1 import transfer_service_pb2 as pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc

app = typer.Typer(help="Buildings: site inspection (实地查看) and first registration.", no_args_is_help=True)

_OUTCOMES = {
    "as-described": pb.SITE_INSPECTION_OUTCOME_AS_DESCRIBED,
    "not-as-described": pb.SITE_INSPECTION_OUTCOME_NOT_AS_DESCRIBED,
}


async def _call(options: Options, verb: str, request):
    async with options.channel("transfer") as channel:
        return await getattr(transfer_service_pb2_grpc.TransferServiceStub(channel), verb)(request)


@app.command()
def inspect(
    ctx: typer.Context,
    building_number: str = typer.Argument(..., help="The 24-character building number."),
    outcome: str = typer.Option(..., help="as-described, or not-as-described (then say why in --findings)."),
    findings: str = typer.Option("", help="What the inspector saw on site."),
    request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
) -> None:
    """Records the site inspection (CQ 21): first registration waits for one that finds the
    building as the completion acceptance and the survey describe it."""
    options: Options = ctx.obj
    if outcome not in _OUTCOMES:
        raise typer.BadParameter(f"choose one of {', '.join(_OUTCOMES)}", param_hint="--outcome")
    message = pb.RecordSiteInspectionRequest(
        request_id=request_id(options, request),
        building_number=building_number,
        outcome=_OUTCOMES[outcome],
        findings=findings,
    )
    inspection = run(options, lambda: _call(options, "RecordSiteInspection", message)).site_inspection
    emit(
        options,
        as_dict(inspection),
        key_value_table(
            inspection.name,
            {
                "outcome": enum_name(
                    pb.SiteInspectionOutcome, inspection.outcome, "SITE_INSPECTION_OUTCOME_"
                ),
                "findings": inspection.findings or "-",
                "inspector": inspection.inspector,
                "inspected": when(inspection.inspect_time),
            },
        ),
    )


@app.command()
def show(
    ctx: typer.Context,
    building_number: str = typer.Argument(..., help="The 24-character building number."),
) -> None:
    """The building's first registration, with its latest site inspection."""
    options: Options = ctx.obj
    request = pb.GetFirstRegistrationRequest(building_number=building_number)
    registration = run(options, lambda: _call(options, "GetFirstRegistration", request)).first_registration
    inspection = registration.site_inspection
    emit(
        options,
        as_dict(registration),
        key_value_table(
            registration.name,
            {
                "state": enum_name(pb.RegistrationState, registration.state, "REGISTRATION_STATE_"),
                "case": registration.registry_case,
                "registered": when(registration.register_time),
                "units surveyed": len(registration.units),
                "site inspection": inspection.name or "none",
                "found": enum_name(pb.SiteInspectionOutcome, inspection.outcome, "SITE_INSPECTION_OUTCOME_")
                if inspection.name
                else "-",
            },
        ),
    )
