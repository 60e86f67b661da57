package io.pseudolabel.segmenter;

import ai.djl.Device;
import com.sun.management.OperatingSystemMXBean;
import io.pseudolabel.eval.ConfusionMatrix;
import io.pseudolabel.scenes.FixtureWorld;
import io.pseudolabel.scenes.Scene;
import io.pseudolabel.scenes.SceneGenerator;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Not a test: measures training throughput and runs the demo-sized experiment (train on synthetic
 * scenes, score val mIoU). {@code java -cp <test classpath> io.pseudolabel.segmenter.SegmenterBench
 * [speed|demo] [steps] [crop] [batch] [lr] [base]}.
 */
public final class SegmenterBench {

    public static void main(String[] args) {
        String what = args.length > 0 ? args[0] : "speed";
        if (what.equals("speed")) {
            speed(64, 4, 200);
            speed(128, 4, 50);
        } else {
            int steps = args.length > 1 ? Integer.parseInt(args[1]) : 300;
            int crop = args.length > 2 ? Integer.parseInt(args[2]) : 128;
            int batch = args.length > 3 ? Integer.parseInt(args[3]) : 8;
            float lr = args.length > 4 ? Float.parseFloat(args[4]) : 2e-3f;
            int base = args.length > 5 ? Integer.parseInt(args[5]) : 16;
            demo(steps, crop, batch, lr, base);
        }
    }

    /** CPU time of the whole process (all threads), so that a loaded machine does not skew the numbers. */
    static long cpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static List<Sample> scenes(SceneGenerator gen, int from, int count) {
        List<Sample> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            Scene s = gen.scene(i);
            out.add(new Sample(s.image(), s.truth()));
        }
        return out;
    }

    static void speed(int crop, int batch, int steps) {
        SegmenterConfig c = new SegmenterConfig(18, 7, 16, 64, 24, 64, 0f, crop, 1f, 1f, CropMode.RANDOM, true, batch,
                Optimizer.ADAM, 2e-3f, 0.9f, 0f, 250, 42L);
        SceneGenerator gen = new SceneGenerator(FixtureWorld.load(), 1);
        List<Sample> train = scenes(gen, 0, 8);
        try (SegmenterTrainer t = new SegmenterTrainer(c, Device.cpu())) {
            Random rnd = new Random(1);
            t.trainSteps(train, 3, rnd); // warm-up
            long t0 = System.nanoTime();
            long c0 = cpuNanos();
            float loss = t.trainSteps(train, steps, rnd);
            double sec = (System.nanoTime() - t0) / 1e9;
            double cpu = (cpuNanos() - c0) / 1e9;
            System.out.printf("crop %d batch %d: %d steps in %.1f s wall = %.3f s/step, %.1f samples/s; "
                    + "%.1f CPU-s = %.3f CPU-s/step, %.1f samples per CPU-s (loss %.3f)%n",
                    crop, batch, steps, sec, sec / steps, steps * batch / sec, cpu, cpu / steps, steps * batch / cpu,
                    loss);
        }
    }

    static void demo(int steps, int crop, int batch, float lr, int base) {
        SegmenterConfig c = new SegmenterConfig(18, 7, base, base * 4, 24, base * 4, 0f, crop, 0.5f, 1.5f, CropMode.RANDOM, true, batch,
                Optimizer.ADAM, lr, 0.9f, 0f, steps, 42L);
        SceneGenerator gen = new SceneGenerator(FixtureWorld.load(), 2024);
        List<Sample> train = scenes(gen, 0, 40);
        List<Sample> val = scenes(gen, 1000, 20);
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        try (SegmenterTrainer t = new SegmenterTrainer(c, Device.cpu())) {
            Random rnd = new Random(5);
            int chunk = 25;
            for (int done = 0; done < steps; done += chunk) {
                float loss = t.trainSteps(train, Math.min(chunk, steps - done), rnd);
                System.out.printf("step %d loss %.4f lr %.5f %.0f s wall %.0f CPU-s%n", done + chunk, loss,
                        t.learningRate(), (System.nanoTime() - t0) / 1e9, (cpuNanos() - c0) / 1e9);
            }
            double trainSec = (System.nanoTime() - t0) / 1e9;
            System.out.printf("training CPU time %.1f s%n", (cpuNanos() - c0) / 1e9);
            ConfusionMatrix cm = new ConfusionMatrix(7);
            long p0 = System.nanoTime();
            for (Sample s : val) {
                cm.add(s.labels().ids(), t.predict(s.image()));
            }
            double predSec = (System.nanoTime() - p0) / 1e9;
            StringBuilder iou = new StringBuilder();
            for (int k = 0; k < 7; k++) {
                iou.append(String.format(" %.2f", cm.iou(k)));
            }
            System.out.printf("config %s%ntrain %.1f s, predict %d val images %.1f s; val mIoU %.3f (per class%s)%n",
                    c, trainSec, val.size(), predSec, cm.meanIou(), iou);
        }
    }
}
