"""Supervisor controls: roles and teams (`roles`), the audit trail (`audit`), and the MQTT
password and ACL files (`acl`). The engine side is `callcenter.engine.supervision`."""
