"""Test certificates, made with openssl when the tests run: a CA the guest is told to
trust (`tls ca-add`), and server certificates from it: a good one for 10.0.2.2 (the host as
the guest sees it), one for another name, one that expired, and one from a CA the guest
does not know.

mbedTLS 2.28 checks a host name against dNSName entries and the CN only (iPAddress entries
came in 3.x), so the certificate for the address 10.0.2.2 carries it both ways."""
import os
import subprocess
import time

CNF = """
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = {dir}
database = {dir}/index-{ca}.txt
new_certs_dir = {dir}
serial = {dir}/serial-{ca}
default_md = sha256
policy = policy_any
unique_subject = no
[ policy_any ]
commonName = supplied
[ leaf ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = {san}
"""


def _run(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True)


def _ca(d, name):
    _run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", name + ".key", "-out", name + ".pem", "-days", "30",
         "-subj", "/CN=kernel test " + name, cwd=d)
    open(os.path.join(d, "index-%s.txt" % name), "w").close()
    with open(os.path.join(d, "serial-%s" % name), "w") as f:
        f.write("1000\n")


def _leaf(d, name, ca, cn, san, start, end):
    with open(os.path.join(d, name + ".cnf"), "w") as f:
        f.write(CNF.format(dir=d, ca=ca, san=san))
    _run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn, cwd=d)
    _run("ca", "-batch", "-config", name + ".cnf", "-cert", ca + ".pem", "-keyfile", ca + ".key",
         "-extensions", "leaf", "-startdate", start, "-enddate", end, "-notext",
         "-in", name + ".csr", "-out", name + ".pem", cwd=d)


def make(d):
    """Write the PKI into directory d; returns {name: (cert, key)} and d/ca.pem."""
    os.makedirs(d, exist_ok=True)
    fmt = "%Y%m%d%H%M%SZ"
    now = time.time()
    past, soon = time.strftime(fmt, time.gmtime(now - 86400)), time.strftime(fmt, time.gmtime(now + 20 * 86400))
    old_start = time.strftime(fmt, time.gmtime(now - 400 * 86400))
    old_end = time.strftime(fmt, time.gmtime(now - 300 * 86400))
    _ca(d, "ca")
    _ca(d, "otherca")
    _leaf(d, "good", "ca", "10.0.2.2", "DNS:10.0.2.2,IP:10.0.2.2", past, soon)
    _leaf(d, "wrongname", "ca", "other.example", "DNS:other.example", past, soon)
    _leaf(d, "expired", "ca", "10.0.2.2", "DNS:10.0.2.2,IP:10.0.2.2", old_start, old_end)
    _leaf(d, "unknownca", "otherca", "10.0.2.2", "DNS:10.0.2.2,IP:10.0.2.2", past, soon)
    return {n: (os.path.join(d, n + ".pem"), os.path.join(d, n + ".key"))
            for n in ("good", "wrongname", "expired", "unknownca")}
