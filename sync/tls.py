"""TLS for a hub on an untrusted LAN: a self-signed certificate, pinned by its fingerprint.

No CA is trusted. The hub generates its own certificate; the enrolment code carries the
SHA-256 fingerprint of it; a station fetches the certificate once, checks the fingerprint,
and from then on trusts exactly that certificate (as the only anchor of its SSL context),
so a machine in the middle cannot present another one even before the token is sent.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import socket
import ssl
from pathlib import Path
from urllib.parse import urlsplit

from db.errors import EventOpsError


class PinMismatch(EventOpsError):
    """The hub presented a certificate other than the one the enrolment code pinned."""


def fingerprint_der(der: bytes) -> str:
    """SHA-256 of a DER certificate, as lowercase hex (what the enrolment code carries)."""
    return hashlib.sha256(der).hexdigest()


def fingerprint_pem(pem: str) -> str:
    return fingerprint_der(ssl.PEM_cert_to_DER_cert(pem))


def default_paths(db_path: Path) -> tuple[Path, Path]:
    """Where a hub keeps its self-signed certificate and key: next to its database."""
    return db_path.with_name(db_path.name + ".hub-cert.pem"), db_path.with_name(db_path.name + ".hub-key.pem")


def self_signed(cert_path: Path, key_path: Path, hostnames: list[str] | None = None) -> str:
    """Create (once) a self-signed certificate and key; returns the certificate's fingerprint."""
    if cert_path.exists() and key_path.exists():
        if key_path.stat().st_mode & 0o077:
            os.chmod(key_path, 0o600)  # a key copied in with looser permissions: owner only
        return fingerprint_pem(cert_path.read_text())
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    names = ["localhost", socket.gethostname(), *(hostnames or [])]
    alt: list[x509.GeneralName] = [x509.DNSName(n) for n in dict.fromkeys(names) if n]
    alt += [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.IPAddress(ipaddress.ip_address("::1"))]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "eventops hub")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3 * 365))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    _write_private(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return fingerprint_der(cert.public_bytes(serialization.Encoding.DER))


def _write_private(path: Path, data: bytes) -> None:
    """Write a private key readable by its owner only, from its very first byte.

    A fresh file created 0o600 (never a chmod after writing: for that moment anyone on the
    laptop could read the key), then moved into place.
    """
    fresh = path.with_name(path.name + ".new")
    fresh.unlink(missing_ok=True)  # a leftover of a crash may carry looser permissions
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(fresh, 0o600)  # whatever the umask did
    os.replace(fresh, path)


def fetch_pinned(url: str, fingerprint: str, timeout: float = 5.0) -> str:
    """Fetch the hub's certificate and return it (PEM) only if it matches the pinned fingerprint."""
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError as error:  # "https://host:abc", a broken IPv6 address
        raise EventOpsError(f"the hub's address {url!r} is not a valid URL ({error}): give it as https://HOST:PORT") from None
    host = parts.hostname or "127.0.0.1"
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with (
            socket.create_connection((host, port), timeout=timeout) as sock,
            context.wrap_socket(sock, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except OSError as error:
        raise EventOpsError(f"cannot reach the hub at {url}: {error}") from None
    if not der:
        raise PinMismatch(f"the hub at {url} presented no certificate")
    got = fingerprint_der(der)
    if got != fingerprint.lower():
        raise PinMismatch(
            f"the hub at {url} presented certificate {got[:16]}..., but the enrolment code pins {fingerprint[:16]}...: refusing to talk to it"
        )
    return ssl.DER_cert_to_PEM_cert(der)


def pinned_context(cert_pem: str) -> ssl.SSLContext:
    """An SSL context that trusts exactly this certificate (hostnames vary on a LAN: not checked)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata=cert_pem)
    return context
