package org.sparkcnn.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.core.data.ImageChunks;
import org.sparkcnn.core.train.LocalTrainer;
import org.sparkcnn.spark.data.ExampleChunk;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker's rounds when the driver averages: vectors in by broadcast, vectors out as the task's result. The task
 * runs one round, or several consecutive rounds when the run has one worker (its average is its own vector, so the
 * next round starts from where this one ended, and nothing need travel in between). A round whose loss became NaN
 * or infinite ends the task: the driver reports it.
 */
final class LocalSgdToDriver extends AbstractFunction2<TaskContext, Iterator<ExampleChunk>, WorkerResult>
        implements Serializable {
    private final LocalSgd sgd;
    private final RoundTask[] tasks;
    private final Broadcast<ModelVectors> model;

    LocalSgdToDriver(LocalSgd sgd, RoundTask[] tasks, Broadcast<ModelVectors> model) {
        this.sgd = sgd;
        this.tasks = tasks;
        this.model = model;
    }

    @Override
    public WorkerResult apply(TaskContext ctx, Iterator<ExampleChunk> chunks) {
        LocalTrainer trainer = sgd.trainer(ctx);
        ModelVectors m = model.value();
        LocalSgd.copyInto(trainer.network().params(), m.params());
        LocalSgd.copyInto(trainer.optimizer().state(), m.stateFor(ctx.partitionId()));
        ImageChunks shard = sgd.shard(chunks);
        List<WorkerStats> rounds = new ArrayList<>(tasks.length);
        for (RoundTask t : tasks) {
            WorkerStats stats = sgd.run(ctx, shard, trainer, t, 0);
            rounds.add(stats);
            if (!Double.isFinite(stats.lossSum())) {
                break;
            }
        }
        return new WorkerResult(rounds.toArray(WorkerStats[]::new), LocalSgd.copyOf(trainer.network().params()),
                LocalSgd.copyOf(trainer.optimizer().state()));
    }
}
