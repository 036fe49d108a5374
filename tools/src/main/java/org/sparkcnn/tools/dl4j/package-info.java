/** Conversion of our models to Deeplearning4j: the same architecture as a MultiLayerConfiguration, our flat
 *  parameters copied into a MultiLayerNetwork, and export as a DL4J model zip. */
package org.sparkcnn.tools.dl4j;
