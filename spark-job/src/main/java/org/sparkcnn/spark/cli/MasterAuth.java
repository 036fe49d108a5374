package org.sparkcnn.spark.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.network.TransportContext;
import org.apache.spark.network.client.TransportClientFactory;
import org.apache.spark.network.crypto.AuthClientBootstrap;
import org.apache.spark.network.sasl.SecretKeyHolder;
import org.apache.spark.network.server.NoOpRpcHandler;
import org.apache.spark.network.util.MapConfigProvider;
import org.apache.spark.network.util.TransportConf;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Before a driver starts against a standalone master with {@code spark.authenticate=true}: one connection to each
 * master, authenticated as Spark's RPC layer does it, so that a wrong secret is refused in a second with one line.
 * (Spark itself logs the refusal, retries registration three times 20 s apart and then reports only "All masters are
 * unresponsive".) A master that cannot be reached at all is left to Spark to report.
 */
final class MasterAuth {
    /** The user name Spark's RPC layer authenticates as ({@code SecurityManager.getSaslUser}). */
    private static final String SASL_USER = "sparkSaslUser";

    private MasterAuth() { }

    /** Refuses with a {@link UserError} when a standalone master of {@code conf} does not accept its secret. */
    static void check(SparkConf conf) {
        String master = conf.get("spark.master", "");
        if (!master.startsWith("spark://") || !conf.getBoolean("spark.authenticate", false)) {
            return;
        }
        // Spark's driver takes a standalone cluster's secret from this setting only (not _SPARK_AUTH_SECRET)
        String secret = conf.get("spark.authenticate.secret", null);
        if (secret == null) {
            throw new UserError("spark.authenticate is true but spark.authenticate.secret is not set: a driver of a "
                    + "standalone cluster needs the cluster's secret in that setting (scripts/submit.sh adds it from "
                    + "SPARK_CNN_AUTH_CONF, or from .cluster/spark-auth.conf for the local cluster)");
        }
        Map<String, String> settings = new HashMap<>();
        for (scala.Tuple2<String, String> kv : conf.getAll()) {
            settings.put(kv._1(), kv._2());
        }
        TransportConf transport = new TransportConf("rpc", new MapConfigProvider(settings));
        SecretKeyHolder key = new SecretKeyHolder() {
            @Override
            public String getSaslUser(String appId) {
                return SASL_USER;
            }

            @Override
            public String getSecretKey(String appId) {
                return secret;
            }
        };
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
            try (TransportContext context = new TransportContext(transport, new NoOpRpcHandler());
                 TransportClientFactory factory = context.createClientFactory(
                         List.of(new AuthClientBootstrap(transport, SASL_USER, key)))) {
                factory.createClient(host, port).close();
            } catch (IOException unreachable) {
                // not reached at all: Spark reports it in its own words
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException refused) {
                throw new UserError("the master spark://" + hostPort + " refused this driver's authentication ("
                        + reason(refused) + "): spark.authenticate.secret is not the cluster's");
            }
        }
    }

    /** The first line of the innermost message, without the exception names the server side wraps it in. */
    private static String reason(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String line = String.valueOf(t.getMessage()).lines().findFirst().orElse("").strip();
        int name = line.lastIndexOf("Exception: ");
        return name < 0 ? line : line.substring(name + "Exception: ".length());
    }
}
