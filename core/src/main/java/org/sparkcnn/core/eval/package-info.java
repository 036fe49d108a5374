/** Evaluation as mergeable counts (confusion matrix, loss sum, examples) and the metrics derived from them:
 *  accuracy, loss, per-class precision/recall/F1 and their macro averages. */
package org.sparkcnn.core.eval;
