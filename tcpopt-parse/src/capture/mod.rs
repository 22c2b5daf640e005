//! Capture framing: pcap and pcapng.
