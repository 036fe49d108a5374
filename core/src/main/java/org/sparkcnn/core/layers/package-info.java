/** Layer specs (immutable records: shapes and parameter counts) and the runtime layers, each with its forward
 *  and hand-written backward pass side by side, working on views into one flat parameter vector. */
package org.sparkcnn.core.layers;
