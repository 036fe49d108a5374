package org.sparkcnn.core.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Metrics derived from {@link EvalCounts}. For class k with TP = C[k][k], precision = TP / (column sum),
 * recall = TP / (row sum), F1 = 2PR/(P+R); a ratio with a zero denominator is 0. Macro averages are unweighted
 * means over classes.
 */
public record Metrics(double accuracy, double loss, long examples, List<PerClass> perClass, double macroPrecision,
                      double macroRecall, double macroF1, long[][] confusionMatrix) {

    public record PerClass(int label, double precision, double recall, double f1, long support) { }

    public static Metrics of(EvalCounts c) {
        int k = c.classes();
        long correct = 0;
        List<PerClass> per = new ArrayList<>();
        double mp = 0, mr = 0, mf = 0;
        for (int i = 0; i < k; i++) {
            long tp = c.confusion()[i][i];
            long row = 0, col = 0;
            for (int j = 0; j < k; j++) {
                row += c.confusion()[i][j];
                col += c.confusion()[j][i];
            }
            correct += tp;
            double p = col == 0 ? 0 : (double) tp / col;
            double r = row == 0 ? 0 : (double) tp / row;
            double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
            per.add(new PerClass(i, p, r, f, row));
            mp += p;
            mr += r;
            mf += f;
        }
        long n = c.examples();
        return new Metrics(n == 0 ? 0 : (double) correct / n, n == 0 ? 0 : c.lossSum() / n, n, List.copyOf(per),
                mp / k, mr / k, mf / k, c.confusion());
    }

    /** A readable table: per-class precision/recall/F1/support, macro averages, accuracy, loss, confusion matrix. */
    public String toTable() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "accuracy %.4f   loss %.4f   examples %d%n%n", accuracy, loss, examples));
        b.append("class  precision  recall      f1  support\n");
        for (PerClass p : perClass) {
            b.append(String.format(Locale.ROOT, "%5d  %9.4f  %6.4f  %6.4f  %7d%n", p.label(), p.precision(), p.recall(),
                    p.f1(), p.support()));
        }
        b.append(String.format(Locale.ROOT, "macro  %9.4f  %6.4f  %6.4f  %7d%n%n", macroPrecision, macroRecall, macroF1,
                examples));
        b.append("confusion matrix (rows: true label, columns: predicted)\n      ");
        for (int j = 0; j < confusionMatrix.length; j++) {
            b.append(String.format(Locale.ROOT, "%6d", j));
        }
        b.append('\n');
        for (int i = 0; i < confusionMatrix.length; i++) {
            b.append(String.format(Locale.ROOT, "%6d", i));
            for (long v : confusionMatrix[i]) {
                b.append(String.format(Locale.ROOT, "%6d", v));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
