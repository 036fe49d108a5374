/** The single-process minibatch loop: the very code that Spark workers run for their local SGD steps, and the
 *  seeded data order they share. */
package org.sparkcnn.core.train;
