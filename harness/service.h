/*
** service.h - the KM service's lifecycle (run --service, issue 10).
**
** The Key Management server needs its password at every start (KB
** Q151689); that is why admins put it into ImagePath, and why the KB's fix
** can stop the service from starting.  With --service, each scenario's
** service is started through Wine's real service control manager before
** the fix, after it, and after the fix's rollback, and each start's
** outcome is recorded (running, stopped:N, not-started:CODE, decoy).
**
** How a start is modelled, and why it matches Windows:
**   - Windows' service manager reads a service's definition from its
**     registry key when it starts (at boot); editing ImagePath takes effect
**     at the next boot.  So each start here reads the scenario's key as it
**     stands then: no key -> not-started:1060 (ERROR_SERVICE_DOES_NOT_EXIST),
**     Start = 4 -> not-started:1058 (ERROR_SERVICE_DISABLED), ImagePath
**     read as a string up to its first NUL, REG_EXPAND_SZ expanded.
**   - Wine's service manager read its services when the prefix booted, so
**     the scenario's key is handed to it through a service of the harness's
**     own (KMH_SERVICE_NAME), whose command line ChangeServiceConfigW sets
**     before each start.  The scenario's key itself is never written.
**   - Which executable starts is Windows' rule (emu/scm_search.h:
**     CreateProcess tries an unquoted path at each blank, so
**     `C:\Program Files\...` starts C:\Program.exe when one exists), not
**     Wine's; Wine is then given that image, quoted, with the rest of the
**     command line as its arguments.  When no candidate exists, nothing is
**     started and the outcome is not-started with the error of the full
**     name (2 or 3; an assumption, see the README).
** The program started is the emulated Kmserver.exe of emu/kms/ (or the
** decoy); it asks the harness over a pipe (emu/kms_link.h) whether its
** password is the scenario's @password.  No password is written anywhere:
** the harness service's command line is reset to a neutral one after
** every start.  Win32 (winelib) code.
*/
#ifndef KMH_SERVICE_H
#define KMH_SERVICE_H

#include <stddef.h>
#include "service_state.h"

/* The harness's own service, through which the scenario's is started. */
#define KMH_SERVICE_NAME L"kmharness-kms"

struct service_lifecycle;

/* Open the service manager and create (or reuse) the harness's service.
** Returns NULL with ERR (N bytes) saying why. */
struct service_lifecycle *service_open(char *err, size_t n);

/* Delete the harness's service and close (safe on NULL). */
void service_close(struct service_lifecycle *);

/* Delete a harness service a killed run left behind (runner_baseline). */
void service_remove_leftover(void);

/* Start the scenario's service as Windows would at the next boot, given
** the registry and files as they are now; record the outcome in OUT and
** stop the service again.  PASSWORD (UTF-8, or NULL: the server needs
** none) is what the emulated server accepts; TOKEN (or NULL) is the one
** the floppy's Kmspwd.ini holds.  IMAGE (N bytes, or NULL) gets the
** program Windows would start, in UTF-8 ("" when none): not redacted, the
** caller redacts it like every path. */
void service_start_once(struct service_lifecycle *, const char *password, const char *token,
                        struct service_state *out, char *image, size_t n);

#endif /* KMH_SERVICE_H */
