"""res_pjsip's AMI actions in the emulator: PJSIPShowEndpoint, PJSIPShowEndpoints,
PJSIPShowContacts (res/res_pjsip/pjsip_configuration.c ami_show_endpoint(s),
res/res_pjsip/pjsip_options.c and res_pjsip_registrar's contact listing).

The endpoints are the softphones (`pbx.phones`) and the trunk. Field names, their order
and the default values are those Asterisk 22.10.1 printed in h3 (sorcery's object set of
an endpoint configured as the capture's pjsip.conf): the emulator fills in what differs
per endpoint (name, AOR, auth, context, contact, device state, active channels). As in
Asterisk, `AuthDetail` carries the password in clear: anything that logs AMI traffic
must not log these events.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from callcenter.ami.codec import Message
from callcenter.emulator.ami import Session, action
from callcenter.emulator.model import Pairs

# ast_devstate_str (main/devicestate.c devstatestring): the words EndpointList and
# EndpointDetail print for a device state.
DEVICE_STATE_WORDS = {
    "UNKNOWN": "Unknown", "NOT_INUSE": "Not in use", "INUSE": "In use", "BUSY": "Busy",
    "INVALID": "Invalid", "UNAVAILABLE": "Unavailable", "RINGING": "Ringing",
    "RINGINUSE": "Ring+Inuse", "ONHOLD": "On Hold",
}

# EndpointDetail after ObjectType/ObjectName, as h3 shows it; Aors, Context, Auth,
# DeviceState and ActiveChannels are replaced per endpoint.
ENDPOINT_FIELDS: Pairs = [
    ("RpidImmediate", "false"), ("Webrtc", "no"), ("Ignore183WithoutSdp", "false"),
    ("SendAoc", "false"), ("DeviceStateBusyAt", "0"), ("T38UdptlMaxdatagram", "0"),
    ("CodecPrefsIncomingAnswer", "prefer:pending, operation:intersect, keep:all, transcode:allow"),
    ("SecurityNegotiation", "no"), ("DtlsRekey", "0"), ("RtpPortEnd", "0"),
    ("NamedPickupGroup", ""), ("DirectMediaMethod", "invite"), ("SendRpid", "false"),
    ("PickupGroup", ""), ("SdpSession", "Asterisk"), ("DtlsVerify", "No"),
    ("MessageContext", ""), ("Tenantid", ""), ("Mailboxes", ""),
    ("RecordOnFeature", "automixmon"), ("DtlsPrivateKey", ""), ("DtlsFingerprint", "SHA-256"),
    ("OverlapContext", ""), ("OutgoingCallOfferPref", "remote_merge"), ("RtpPortStart", "0"),
    ("FromDomain", ""), ("TimersSessExpires", "1800"), ("NamedCallGroup", ""),
    ("DtlsCipher", ""), ("MediaEncryptionOptimistic", "false"),
    ("SuppressQ850ReasonHeaders", "false"), ("Aors", "1001"), ("IdentifyBy", "username,ip"),
    ("CalleridPrivacy", "allowed_not_screened"), ("MwiSubscribeReplacesUnsolicited", "no"),
    ("CosAudio", "0"), ("FollowEarlyMediaFork", "true"), ("Context", "from-internal"),
    ("RtpSymmetric", "false"), ("Transport", ""), ("MohSuggest", "default"),
    ("T38Udptl", "false"), ("FaxDetect", "false"), ("T38BindUdptlToMediaAddress", "false"),
    ("TosVideo", "0"), ("SrtpTag32", "false"), ("ReferBlindProgress", "true"),
    ("MaxAudioStreams", "1"), ("Bundle", "false"), ("UseAvpf", "false"), ("CallGroup", ""),
    ("SendConnectedLine", "yes"), ("FaxDetectTimeout", "0"), ("SdpOwner", "-"),
    ("ForceRport", "true"), ("CalleridTag", ""), ("RtpTimeoutHold", "0"),
    ("SuppressMohOnSendonly", "false"), ("UsePtime", "false"), ("MediaAddress", ""),
    ("VoicemailExtension", ""), ("RtpTimeout", "0"), ("StirShaken", "no"), ("SetVar", ""),
    ("ContactAcl", ""), ("PreferredCodecOnly", "false"), ("GeolocOutgoingCallProfile", ""),
    ("ForceAvp", "false"), ("RecordOffFeature", "automixmon"), ("FromUser", ""),
    ("SendDiversion", "true"), ("SendHistoryInfo", "false"), ("T38UdptlIpv6", "false"),
    ("ToneZone", ""), ("Language", ""), ("AllowSubscribe", "true"), ("RtpIpv6", "false"),
    ("Callerid", "<unknown>"), ("MohPassthrough", "false"), ("CosVideo", "0"),
    ("DtlsAutoGenerateCert", "No"), ("AsymmetricRtpCodec", "false"),
    ("GeolocIncomingCallProfile", ""), ("IceSupport", "false"), ("AggregateMwi", "true"),
    ("OneTouchRecording", "false"), ("MwiFromUser", ""), ("RedirectMethod", "user"),
    ("Accountcode", ""),
    ("CodecPrefsOutgoingAnswer", "prefer:pending, operation:intersect, keep:all, transcode:allow"),
    ("Allow", "(ulaw|alaw)"), ("RewriteContact", "false"), ("UserEqPhone", "false"),
    ("RtpEngine", "asterisk"), ("FollowRedirectMethods", ""), ("SubscribeContext", ""),
    ("NotifyEarlyInuseRinging", "false"), ("IncomingMwiMailbox", ""),
    ("IncomingCallOfferPref", "local"), ("AllowUnauthenticatedOptions", "false"),
    ("Auth", "1001"), ("DirectMediaGlareMitigation", "none"), ("TrustIdInbound", "false"),
    ("StirShakenProfile", ""), ("BindRtpToMediaAddress", "false"),
    ("DisableDirectMediaOnNat", "false"), ("MediaEncryption", "no"),
    ("MediaUseReceivedTransport", "false"), ("AllowOverlap", "true"), ("DtmfMode", "rfc4733"),
    ("OutboundAuth", ""), ("TosAudio", "0"), ("DtlsCertFile", ""), ("DtlsCaPath", ""),
    ("DtlsSetup", "active"), ("ConnectedLineMethod", "invite"), ("G726NonStandard", "false"),
    ("100rel", "yes"), ("Timers", "yes"), ("DirectMedia", "false"), ("Acl", ""),
    ("TimersMinSe", "90"), ("TrustIdOutbound", "false"), ("SubMinExpiry", "0"),
    ("RtcpMux", "false"), ("MaxVideoStreams", "1"), ("AcceptMultipleSdpAnswers", "false"),
    ("CodecPrefsIncomingOffer", "prefer:pending, operation:intersect, keep:all, transcode:allow"),
    ("CodecPrefsOutgoingOffer", "prefer:pending, operation:union, keep:all, transcode:allow"),
    ("TrustConnectedLine", "yes"), ("SendPai", "false"), ("RtpKeepalive", "0"),
    ("T38UdptlEc", "none"), ("T38UdptlNat", "false"), ("AllowTransfer", "true"),
    ("DtlsCaFile", ""), ("OutboundProxy", ""), ("InbandProgress", "false"),
    ("DeviceState", "Not in use"), ("ActiveChannels", "0"),
]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """What the emulator knows of one configured PJSIP endpoint."""

    name: str
    context: str
    auth: bool
    password: str
    contact: str
    """The registered (or, for the trunk, permanent) contact URI; "" if none."""
    registered: bool
    """A dynamic contact from a REGISTER (PJSIPShowContacts lists only those)."""


def endpoints(s: Session) -> dict[str, Endpoint]:
    """Every configured endpoint, by name: the softphones and the trunk."""
    pbx = s.pbx
    found = {
        name: Endpoint(name, phone.context, True, phone.password,
                       phone.contact_uri if phone.online else "", phone.online)
        for name, phone in pbx.phones.phones.items()
    }
    trunk = pbx.trunk
    found[trunk.endpoint] = Endpoint(trunk.endpoint, trunk.context, False, "",
                                     trunk.contact_uri, False)
    return found


def _state_words(s: Session, endpoint: str) -> str:
    return DEVICE_STATE_WORDS[s.pbx.device_state_of(f"PJSIP/{endpoint}")]


def _active(s: Session, endpoint: str) -> str:
    device = f"PJSIP/{endpoint}"
    return str(sum(1 for c in s.pbx.channels.values() if c.devcat and c.device == device))


def _contact_id(ep: Endpoint) -> str:
    """`<aor>;@<md5 of the URI>`: the id res_pjsip gives a registered contact."""
    digest = hashlib.md5(ep.contact.encode(), usedforsecurity=False).hexdigest()
    return f"{ep.name};@{digest}"


def _host_port(uri: str) -> tuple[str, str]:
    hostport = uri.partition("@")[2] or uri.removeprefix("sip:")
    host, _, port = hostport.partition(":")
    return host, port or "5060"


@action("PJSIPShowEndpoint")
async def _show_endpoint(s: Session, m: Message) -> None:
    name = m.get("Endpoint")
    if not name:
        s.error(m, "PJSIPShowEndpoint requires an endpoint name\n")
        return
    if name.lower().startswith("pjsip/"):
        name = name[6:]
    ep = endpoints(s).get(name)
    if ep is None:
        # astman_send_error_va(s, m, "Unable to retrieve endpoint %s\n", ...): the LF is
        # part of the message (h3).
        s.error(m, f"Unable to retrieve endpoint {name}\n")
        return
    per_endpoint = {"Aors": ep.name, "Context": ep.context, "Auth": ep.name if ep.auth else "",
                    "DeviceState": _state_words(s, ep.name),
                    "ActiveChannels": _active(s, ep.name)}
    detail: Pairs = [("ObjectType", "endpoint"), ("ObjectName", ep.name),
                     *((k, per_endpoint.get(k, v)) for k, v in ENDPOINT_FIELDS)]
    items: list[tuple[str, Pairs]] = [("EndpointDetail", detail)]
    if ep.auth:
        items.append(("AuthDetail", [
            ("ObjectType", "auth"), ("ObjectName", ep.name), ("OauthSecret", ""),
            ("PasswordDigest", ""), ("SupportedAlgorithmsUas", "MD5"), ("RefreshToken", ""),
            ("Username", ep.name), ("Md5Cred", ""), ("Realm", ""), ("AuthType", "userpass"),
            ("Password", ep.password), ("SupportedAlgorithmsUac", "MD5"),
            ("NonceLifetime", "32"), ("OauthClientid", ""), ("EndpointName", ep.name)]))
    contacts = f"{ep.name}/{ep.contact}" if ep.contact else ""
    count = "1" if ep.contact else "0"
    items.append(("AorDetail", [
        ("ObjectType", "aor"), ("ObjectName", ep.name), ("MinimumExpiration", "60"),
        ("DefaultExpiration", "3600"), ("QualifyTimeout", "3.000000"),
        ("Qualify2xxOnly", "false"), ("Mailboxes", ""), ("SupportPath", "false"),
        ("RemoveUnavailable", "false"), ("VoicemailExtension", ""),
        ("MaxContacts", "1" if ep.auth else "0"), ("AuthenticateQualify", "false"),
        ("Contacts", contacts), ("MaximumExpiration", "7200"), ("QualifyFrequency", "0"),
        ("RemoveExisting", "true" if ep.auth else "false"), ("OutboundProxy", ""),
        ("TotalContacts", count), ("ContactsRegistered", count if ep.registered else "0"),
        ("EndpointName", ep.name)]))
    if ep.contact:
        host, port = _host_port(ep.contact)
        items.append(("ContactStatusDetail", [
            ("AOR", ep.name), ("URI", ep.contact), ("UserAgent", "sipp-agent"),
            ("RegExpire", "0"), ("ViaAddress", f"{host}:{port}"),
            ("CallID", f"{ep.name}@{host}"), ("Status", "NonQualified"),
            ("RoundtripUsec", "N/A"), ("EndpointName", ep.name), ("ID", _contact_id(ep)),
            ("AuthenticateQualify", "0"), ("OutboundProxy", ""), ("Path", ""),
            ("QualifyFrequency", "0"), ("QualifyTimeout", "3.000"), ("Qualify2xxOnly", "0")]))
    s.send_list(m, "Following are Events for each object associated with the Endpoint",
                items, "EndpointDetailComplete", id_first=True)


@action("PJSIPShowEndpoints")
async def _show_endpoints(s: Session, m: Message) -> None:
    # ast_sip_get_endpoints: sorcery's container, sorted by id (h3: 1001..1005, trunk).
    items = [("EndpointList", [
        ("ObjectType", "endpoint"), ("ObjectName", ep.name), ("Transport", ""),
        ("Aor", ep.name), ("Auths", ep.name if ep.auth else ""), ("OutboundAuths", ""),
        ("Contacts", f"{ep.name}/{ep.contact}," if ep.contact else ""),
        ("DeviceState", _state_words(s, ep.name)), ("ActiveChannels", _active(s, ep.name)),
    ]) for _, ep in sorted(endpoints(s).items())]
    s.send_list(m, "A listing of Endpoints follows, presented as EndpointList events",
                items, "EndpointListComplete", id_first=True)


@action("PJSIPShowContacts")
async def _show_contacts(s: Session, m: Message) -> None:
    items = []
    for _, ep in sorted(endpoints(s).items()):
        if not ep.registered:
            continue
        host, port = _host_port(ep.contact)
        items.append(("ContactList", [
            ("ObjectType", "contact"), ("ObjectName", _contact_id(ep)), ("ViaAddr", host),
            ("QualifyTimeout", "3.000000"), ("Qualify2xxOnly", "false"),
            ("CallId", f"{ep.name}@{host}"), ("RegServer", ""), ("PruneOnBoot", "no"),
            ("Path", ""), ("Endpoint", ep.name), ("ViaPort", port),
            ("AuthenticateQualify", "no"), ("Uri", ep.contact), ("QualifyFrequency", "0"),
            ("UserAgent", "sipp-agent"), ("ExpirationTime", "0"), ("OutboundProxy", ""),
            ("Status", "NonQualified"), ("RoundtripUsec", "N/A")]))
    s.send_list(m, "A listing of Contacts follows, presented as ContactList events",
                items, "ContactListComplete", id_first=True)
