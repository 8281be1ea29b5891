/*
 * 11_sync_tools.c - the other synchronization tools the tutorial's conclusion names: a recursive
 * lock (RLock), a semaphore and a condition variable, on OpenMP threads.
 *
 *   ./11_sync_tools
 *
 * - RLock: a lock its holder may take again. OpenMP's nestable lock (omp_nest_lock_t) is one: it
 *   counts how often its owner has set it and is free when the count is back to 0. Here
 *   transfer() holds the bank's lock and calls deposit(), which takes it again; with a plain
 *   omp_lock_t the thread would wait for itself forever.
 * - Semaphore: at most N threads inside a section at once. OpenMP has none, so this uses a POSIX
 *   semaphore (sem_t). That is sound because OpenMP threads on POSIX systems are POSIX threads
 *   (GCC's libgomp and LLVM's libomp both build on pthreads); a portable OpenMP program would
 *   have to build it from a lock and a counter, and spin.
 * - Condition variable: sleep until a state changes (here: a bounded buffer has an item, or room
 *   for one), woken by the thread that changes it. OpenMP has no way to sleep on a condition, so
 *   this uses pthread_mutex_t and pthread_cond_t, for the same reason. The waits are in loops:
 *   a woken thread rechecks the state, which another may have changed first.
 *
 * In sqcube none of these is needed: its threads share no mutable state while they compute
 * (src/kernel.c) and meet only at the barriers that end OpenMP regions.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <omp.h>

#define THREADS 5

/* Stops the program with one line when a POSIX call returns an error number. */
static void check(int rc, const char *call) {
    if (rc != 0) {
        fprintf(stderr, "11_sync_tools: %s failed: %s\n", call, strerror(rc));
        exit(1);
    }
}
#define CHECK(call) check((call), #call)

static void sleep_ms(long ms) {
    const struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* ---- RLock: a nestable lock ---------------------------------------------------------------- */

#define TRANSFERS 1000 /* per thread */

static omp_nest_lock_t bank_lock;
static long balance[2];

static void deposit(int account, long amount) {
    omp_set_nest_lock(&bank_lock);
    balance[account] += amount;
    omp_unset_nest_lock(&bank_lock);
}

/* Both deposits under one hold of the lock: nobody sees the money in neither account. */
static void transfer(int from, int to, long amount) {
    omp_set_nest_lock(&bank_lock);
    deposit(from, -amount); /* takes the lock again: its nesting count goes to 2 */
    deposit(to, amount);
    omp_unset_nest_lock(&bank_lock);
}

static void rlock_demo(void) {
    omp_init_nest_lock(&bank_lock);
    balance[0] = (long)THREADS * TRANSFERS;
    balance[1] = 0;
    int team = 0;
#pragma omp parallel num_threads(THREADS)
    {
#pragma omp single
        team = omp_get_num_threads();
        for (int i = 0; i < TRANSFERS; ++i)
            transfer(0, 1, 1);
    }
    omp_destroy_nest_lock(&bank_lock);
    printf("rlock: %d threads x %d transfers of 1 from account 0 (%ld at the start): account 0 = "
           "%ld, account 1 = %ld\n",
           team, TRANSFERS, (long)THREADS * TRANSFERS, balance[0], balance[1]);
}

/* ---- Semaphore ----------------------------------------------------------------------------- */

#define SLOTS 2  /* threads allowed inside at once */
#define ROUNDS 4 /* entries per thread */

static void semaphore_demo(void) {
    sem_t slots;
    if (sem_init(&slots, 0, SLOTS) != 0) /* 0: shared between threads, not processes */
        check(errno, "sem_init");
    int inside = 0, most_inside = 0, entries = 0;
#pragma omp parallel num_threads(THREADS)
    for (int r = 0; r < ROUNDS; ++r) {
        while (sem_wait(&slots) != 0) /* take a slot, sleeping while none is free */
            if (errno != EINTR)
                check(errno, "sem_wait");
        int now;
#pragma omp atomic capture
        now = ++inside;
#pragma omp critical(most_inside)
        {
            if (now > most_inside)
                most_inside = now;
            ++entries;
        }
        sleep_ms(5); /* the work inside the section */
#pragma omp atomic update
        --inside;
        if (sem_post(&slots) != 0) /* give the slot back */
            check(errno, "sem_post");
    }
    if (sem_destroy(&slots) != 0)
        check(errno, "sem_destroy");
    printf("semaphore: %d slots, %d entries, at most %d threads inside at once\n", SLOTS, entries,
           most_inside);
}

/* ---- Condition variable: a bounded buffer, one producer and THREADS - 1 consumers ---------- */

#define CAPACITY 4
#define ITEMS 1000

static struct {
    pthread_mutex_t mutex;
    pthread_cond_t not_empty, not_full;
    int item[CAPACITY];
    int head, count; /* the items are item[head], item[head + 1], ... (mod CAPACITY) */
    int done;        /* the producer has put its last item */
} buffer = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, 0};

static void put(int value) {
    CHECK(pthread_mutex_lock(&buffer.mutex));
    while (buffer.count == CAPACITY) /* full: sleep until a consumer takes one */
        CHECK(pthread_cond_wait(&buffer.not_full, &buffer.mutex));
    buffer.item[(buffer.head + buffer.count) % CAPACITY] = value;
    ++buffer.count;
    CHECK(pthread_cond_signal(&buffer.not_empty));
    CHECK(pthread_mutex_unlock(&buffer.mutex));
}

/* Takes the oldest item into *value; returns 0 when the buffer is empty and the producer done. */
static int take(int *value) {
    CHECK(pthread_mutex_lock(&buffer.mutex));
    while (buffer.count == 0 && !buffer.done) /* empty: sleep until an item or the end */
        CHECK(pthread_cond_wait(&buffer.not_empty, &buffer.mutex));
    const int got = buffer.count > 0;
    if (got) {
        *value = buffer.item[buffer.head];
        buffer.head = (buffer.head + 1) % CAPACITY;
        --buffer.count;
        CHECK(pthread_cond_signal(&buffer.not_full));
    }
    CHECK(pthread_mutex_unlock(&buffer.mutex));
    return got;
}

static void finish(void) {
    CHECK(pthread_mutex_lock(&buffer.mutex));
    buffer.done = 1;
    CHECK(pthread_cond_broadcast(&buffer.not_empty)); /* wake every consumer to see the end */
    CHECK(pthread_mutex_unlock(&buffer.mutex));
}

static void condition_demo(void) {
    long sum = 0;
    int taken = 0;
#pragma omp parallel num_threads(THREADS) reduction(+ : sum, taken)
    {
        /* Thread 0 produces 1..ITEMS; the others consume. A team of one does both in turn
         * (the buffer would fill up: so it consumes as it produces). */
        const int me = omp_get_thread_num(), team = omp_get_num_threads();
        int value = 0;
        if (me == 0) {
            for (int i = 1; i <= ITEMS; ++i) {
                put(i);
                if (team == 1 && take(&value)) {
                    sum += value;
                    ++taken;
                }
            }
            finish();
        } else {
            while (take(&value)) {
                sum += value;
                ++taken;
            }
        }
    }
    printf("condition: %d items through a %d-slot buffer, %d taken, sum %ld\n", ITEMS, CAPACITY,
           taken, sum);
}

int main(void) {
    rlock_demo();
    semaphore_demo();
    condition_demo();
    return 0;
}
