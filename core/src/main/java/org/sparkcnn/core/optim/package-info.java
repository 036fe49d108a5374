/** Optimizers whose state lives in one flat vector (so it can be averaged across workers), with L2 weight decay
 *  and learning-rate schedules. */
package org.sparkcnn.core.optim;
