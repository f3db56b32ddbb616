/*
** pipe-rtt.c - the machine's own round-trip latency, for `make bench`.
**
** A scenario is about 80 round trips between the harness and its
** wineserver, so the harness's speed follows the kernel's cost of one
** process waking another and waiting for the answer.  This measures that
** cost without Wine: two processes pass one byte back and forth through two
** pipes, TRIPS times, and the mean per trip is printed in microseconds.
** The benchmark runs it pinned to one CPU and spread over two, so figures
** from different machines can be told apart from changes in the code.
**
** Usage: pipe-rtt [TRIPS]      (default 200000)
*/
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* Answers every byte read from `in` on `out` until `in` closes. */
static void echo_until_eof(int in, int out)
{
    char c;
    while (read(in, &c, 1) == 1)
        if (write(out, &c, 1) != 1)
            break;
}

int main(int argc, char **argv)
{
    long trips = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    int to_child[2], to_parent[2];
    char c = 0;
    if (trips <= 0 || pipe(to_child) || pipe(to_parent)) {
        fprintf(stderr, "pipe-rtt: usage: pipe-rtt [TRIPS > 0]\n");
        return 2;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("pipe-rtt: fork");
        return 1;
    }
    if (child == 0) {
        close(to_child[1]);
        close(to_parent[0]);
        echo_until_eof(to_child[0], to_parent[1]);
        _exit(0);
    }
    close(to_child[0]);
    close(to_parent[1]);
    double start = now_us();
    for (long i = 0; i < trips; i++)
        if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1) {
            perror("pipe-rtt: round trip");
            return 1;
        }
    double elapsed = now_us() - start;
    close(to_child[1]);
    waitpid(child, NULL, 0);
    printf("%.1f\n", elapsed / trips);
    return 0;
}
