"""The lab's topologies (addresses from RFC 5737 / RFC 3849 only).

    client(s) 192.0.2.x ── br0 192.0.2.1 [nat] 198.51.100.1 ── 198.51.100.10 [srv]

`direct` leaves the NAT box as a plain router (no MASQUERADE), which the
scenarios that need a path element but no address translation use.
"""
SRV_IP = "198.51.100.10"
NAT_OUT_IP = "198.51.100.1"
NAT_IN_IP = "192.0.2.1"
SRV_IP6 = "2001:db8:100::10"
NAT_OUT_IP6 = "2001:db8:100::1"
NAT_IN_IP6 = "2001:db8:2::1"


def client_ip(i):
    return f"192.0.2.{10 * (i + 1)}"


def build(lab, n_clients=1, masquerade=True, srv_sysctls=None, cli_sysctls=None, nat_sysctls=None,
          masq_args=(), ipv6=False, client_addrs=None):
    """Returns a dict of namespace names: srv, nat, clients [..]."""
    srv = lab.ns("srv", srv_sysctls)
    nat = lab.ns("nat", dict({"net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1}, **(nat_sysctls or {})))
    lab.veth(nat, "eth0", srv, "eth0")
    lab.addr(nat, "eth0", f"{NAT_OUT_IP}/24")
    lab.addr(srv, "eth0", f"{SRV_IP}/24")
    from netlab import run

    run(["ip", "link", "add", "br0", "type", "bridge"], ns=nat)
    run(["ip", "link", "set", "br0", "up"], ns=nat)
    lab.addr(nat, "br0", f"{NAT_IN_IP}/24")
    if ipv6:
        lab.addr(nat, "eth0", f"{NAT_OUT_IP6}/64")
        lab.addr(srv, "eth0", f"{SRV_IP6}/64")
        lab.addr(nat, "br0", f"{NAT_IN_IP6}/64")
        lab.route(srv, "2001:db8:2::/64", "via", NAT_OUT_IP6)
    clients = []
    for i in range(n_clients):
        sys_i = cli_sysctls[i] if isinstance(cli_sysctls, list) else cli_sysctls
        c = lab.ns(f"cli{i + 1}", sys_i)
        lab.veth(c, "eth0", nat, f"v{i + 1}")
        run(["ip", "link", "set", f"v{i + 1}", "master", "br0"], ns=nat)
        lab.addr(c, "eth0", f"{(client_addrs or {}).get(i, client_ip(i))}/24")
        lab.route(c, "default", "via", NAT_IN_IP)
        if ipv6:
            lab.addr(c, "eth0", f"2001:db8:2::{10 * (i + 1)}/64")
            lab.route(c, "default", "via", NAT_IN_IP6)
        clients.append(c)
    if masquerade:
        proto = ["-p", "tcp"] if masq_args else []  # --to-ports needs a protocol
        lab.ipt(nat, "-t", "nat", "-A", "POSTROUTING", "-o", "eth0", "-s", "192.0.2.0/24", *proto, "-j",
                "MASQUERADE", *masq_args)
    else:
        lab.route(srv, "192.0.2.0/24", "via", NAT_OUT_IP)
    return {"srv": srv, "nat": nat, "clients": clients}
