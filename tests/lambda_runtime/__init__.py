"""Tests in a real Lambda lifecycle: AWS's runtime client, frozen and thawed as in Lambda.

``_runtime.LambdaFunction`` runs ``python -m awslambdaric module.handler`` against our own
Runtime API (``_api``) and SIGSTOPs the process whenever it waits for an event;
``_faults.FaultProxy`` stands between the function and moto's server, adding latency and
breaking kept-alive connections on demand. The ``launch`` fixture (``conftest``) starts a
function from handler source. Select the group with ``pytest -m lambda_runtime``.
"""
