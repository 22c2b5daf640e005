//! Packet decoding: link layer, tunnels, IP, TCP.
