/*
** kms_client.h - the program's end of the pipe of emu/kms_protocol.h,
** shared by the two PE programs of emu/kms/ (the emulated Kmserver.exe and
** the decoy).  Built with mingw-w64 into each of them, never into the
** harness (whose end is emu/kms_link.h).
*/
#ifndef KMH_KMS_CLIENT_H
#define KMH_KMS_CLIENT_H

#include "../kms_protocol.h"

/* How long to look for the harness's pipe: the harness creates it before
** it starts a service, so the first try normally succeeds; the wait only
** bounds the case of no harness at all. */
#define KMS_CLIENT_FIND_MS    300
/* How long to wait for the harness's answer once connected. */
#define KMS_CLIENT_ANSWER_MS  5000

/* Send HELLO to the harness and read its answer.  Wipes HELLO once it is
** sent (it may hold a password).  Returns 1 accepted, 0 rejected, -1 when
** no harness listened or it did not answer in time. */
int kms_client_ask(struct kms_hello *hello);

#endif /* KMH_KMS_CLIENT_H */
