/** The CNN itself: layer specs, forward and hand-written backward passes, losses, optimizers, IDX input.
 *  Knows nothing of Spark; everything here runs and is tested in one plain JVM. */
package org.sparkcnn.core;
