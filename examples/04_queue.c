/*
 * 04_queue.c - a queue between a producer and a consumer, first in first out, with a clean end
 * of the stream (the tutorial's multiprocessing.Queue).
 *
 *   mpirun -np 2 ./04_queue
 *
 * Rank 0 produces, rank 1 consumes. A message is the queue item: MPI_Send puts it in the queue,
 * MPI_Recv takes it out, and MPI's non-overtaking rule (two messages from one sender to one
 * receiver on one communicator arrive in the order they were sent) makes the queue FIFO.
 *
 * The tutorial's consumer stops when `queue.empty()` - which only works because it starts after
 * the producer has finished; a consumer running alongside would stop at the first moment the
 * queue happens to be empty. Here the producer says so: after its last item it sends an empty
 * message with the tag END, and the consumer stops when that arrives, however fast either side.
 *
 * In sqcube the ranks take work from a queue too, but a shared one with no producer: the next
 * chunk number is a counter that every rank increments atomically (sq_par_counter_next in
 * src/parallel.c, --schedule dynamic); the end of the stream is a number past the last chunk.
 */
#include <stdio.h>

#include <mpi.h>

#define ITEMS 5

enum { TAG_ITEM = 1, TAG_END = 2 };

static void producer(int consumer_rank) {
    for (int i = 0; i < ITEMS; ++i) {
        MPI_Send(&i, 1, MPI_INT, consumer_rank, TAG_ITEM, MPI_COMM_WORLD);
        printf("Produced: %d\n", i);
    }
    MPI_Send(NULL, 0, MPI_INT, consumer_rank, TAG_END, MPI_COMM_WORLD); /* the end of the stream */
}

static void consumer(int producer_rank) {
    int consumed = 0;
    for (;;) {
        int item = 0;
        MPI_Status status;
        MPI_Recv(&item, 1, MPI_INT, producer_rank, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
        if (status.MPI_TAG == TAG_END)
            break;
        printf("Consumed: %d\n", item);
        ++consumed;
    }
    printf("Consumer: end of stream after %d items\n", consumed);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 2) {
        if (rank == 0)
            fprintf(stderr, "04_queue: run it on 2 ranks (mpirun -np 2), not %d\n", size);
        MPI_Finalize();
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (rank == 0)
        producer(1);
    else
        consumer(0);
    MPI_Finalize();
    return 0;
}
