// Package interop holds gensctp's interoperability tests against SCTP
// stacks nobody here wrote: usrsctp's example programs (Debian package
// libusrsctp-examples) over UDP encapsulation, and pion/sctp over plain
// UDP. Everything runs on loopback inside a network namespace that the
// tests create (unshare --net), because usrsctp's servers bind and
// advertise every local address.
//
// Locally, a missing peer or a missing unshare skips a test with a
// message; in CI (CI=true) it fails.
package interop
