"""Optional hosted or self-served moderation models, off by default.

Each back-end speaks one documented protocol over HTTP and maps the answer onto
Bulwark's taxonomy. They are configured from the environment (see
``configured_backends``) and never called unless configured.
"""
