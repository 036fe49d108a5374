package org.sparkcnn.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.core.train.LocalTrainer;
import org.sparkcnn.spark.data.ExampleChunk;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;

/** A worker's round when the driver averages: vectors in by broadcast, vectors out as the task's result. */
final class LocalSgdToDriver extends AbstractFunction2<TaskContext, Iterator<ExampleChunk>, WorkerResult>
        implements Serializable {
    private final LocalSgd sgd;
    private final RoundTask task;
    private final Broadcast<ModelVectors> model;

    LocalSgdToDriver(LocalSgd sgd, RoundTask task, Broadcast<ModelVectors> model) {
        this.sgd = sgd;
        this.task = task;
        this.model = model;
    }

    @Override
    public WorkerResult apply(TaskContext ctx, Iterator<ExampleChunk> chunks) {
        LocalTrainer trainer = sgd.trainer(ctx);
        ModelVectors m = model.value();
        LocalSgd.copyInto(trainer.network().params(), m.params());
        LocalSgd.copyInto(trainer.optimizer().state(), m.stateFor(ctx.partitionId()));
        WorkerStats stats = sgd.run(ctx, chunks, trainer, task, 0);
        return new WorkerResult(stats, LocalSgd.copyOf(trainer.network().params()),
                LocalSgd.copyOf(trainer.optimizer().state()));
    }
}
