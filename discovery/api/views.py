"""Discovery API: start scans, follow and cancel jobs, read and add results, edit rules.

Admin and manager only (wardflux.roles): discovery sends packets and creates devices.
"""

import django_filters
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from wardflux.permissions import STAFF_ROLES

from ..adding import add_results
from ..choices import FINISHED_STATES
from ..jobs import cancel_job, create_job, job_from_rule
from ..models import DiscoveryJob, DiscoveryResult, DiscoveryRule
from . import serializers as s


def enqueue(job: DiscoveryJob) -> None:
    from ..tasks import run_discovery_job

    transaction.on_commit(lambda: run_discovery_job.delay(job.pk))


class ScanView(APIView):
    read_roles = STAFF_ROLES
    write_roles = STAFF_ROLES

    @extend_schema(request=s.ScanRequestSerializer, responses={202: s.DiscoveryJobSerializer})
    def post(self, request):
        body = s.ScanRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data.get("rule") is not None:
            job = job_from_rule(data["rule"], requested_by=request.user)
        else:
            job = create_job(
                data["ranges"],
                data["exclude"],
                [c.pk for c in data["credentials"]],
                auto_add=data["auto_add"],
                site=data["site"],
                poller_group=data["poller_group"],
                requested_by=request.user,
            )
        enqueue(job)
        return Response(s.DiscoveryJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class DiscoveryJobViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = DiscoveryJob.objects.all()
    serializer_class = s.DiscoveryJobSerializer
    filterset_fields = ["state", "rule"]
    ordering_fields = ["created_at", "started_at", "state"]
    read_roles = STAFF_ROLES
    write_roles = STAFF_ROLES

    @extend_schema(request=None, responses={200: s.DiscoveryJobSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = self.get_object()
        if job.state in FINISHED_STATES or not cancel_job(job.pk):
            job.refresh_from_db()
            return Response(
                {"state": [f"The job is already {job.state}."]}, status=status.HTTP_409_CONFLICT
            )
        job.refresh_from_db()
        return Response(s.DiscoveryJobSerializer(job).data)


class ResultFilter(django_filters.FilterSet):
    monitored = django_filters.BooleanFilter(
        field_name="device", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = DiscoveryResult
        fields = ["job", "vendor", "device_type", "snmp", "template"]


class DiscoveryResultViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = DiscoveryResult.objects.all()
    serializer_class = s.DiscoveryResultSerializer
    filterset_class = ResultFilter
    search_fields = ["ip_address", "sys_name", "dns_name", "sys_descr"]
    ordering_fields = ["ip_address", "rtt_ms", "vendor", "device_type"]
    read_roles = STAFF_ROLES
    write_roles = STAFF_ROLES

    @extend_schema(request=s.AddResultsSerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def add(self, request):
        body = s.AddResultsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        report = add_results(
            data["results"],
            site=data.get("site"),
            poller_group=data.get("poller_group"),
            apply_templates=data["apply_templates"],
        )
        return Response(report.as_dict())


class DiscoveryRuleViewSet(viewsets.ModelViewSet):
    # credential_links: every rule on the page lists its credentials in order.
    queryset = DiscoveryRule.objects.prefetch_related("credential_links")
    serializer_class = s.DiscoveryRuleSerializer
    search_fields = ["name", "site"]
    ordering_fields = ["name"]
    read_roles = STAFF_ROLES
    write_roles = STAFF_ROLES

    @extend_schema(request=None, responses={202: s.DiscoveryJobSerializer})
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        job = job_from_rule(self.get_object(), requested_by=request.user)
        enqueue(job)
        return Response(s.DiscoveryJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
