package org.sparkcnn.core;

import org.sparkcnn.core.layers.Layer;

import java.util.List;

/** Test-side access to a network's runtime layer list (flatten and activation layers included). */
public final class RuntimeLayers {
    private RuntimeLayers() { }

    public static List<Layer> of(Network network) {
        return network.runtimeLayers();
    }
}
