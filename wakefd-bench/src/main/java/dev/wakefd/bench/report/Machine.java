package dev.wakefd.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine a report describes: CPU model and count, virtualisation, kernel. */
record Machine(String cpu, int cpus, boolean virtualised, String kernel) {

    /** Reads /proc; fields it cannot learn say so instead of failing the report. */
    static Machine local() {
        String cpu = "unknown CPU";
        int cpus = 0;
        boolean hypervisor = false;
        try {
            List<String> info = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String line : info) {
                if (line.startsWith("processor")) {
                    cpus++;
                } else if (line.startsWith("model name") && cpu.equals("unknown CPU")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                } else if (line.startsWith("flags") && (" " + line + " ").contains(" hypervisor ")) {
                    hypervisor = true;
                }
            }
        } catch (IOException e) {
            // not Linux, or /proc hidden: report what the JVM knows
        }
        if (cpus == 0) {
            cpus = Runtime.getRuntime().availableProcessors();
        }
        String kernel;
        try {
            kernel = "Linux "
                    + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            kernel = System.getProperty("os.name") + " " + System.getProperty("os.version");
        }
        return new Machine(cpu, cpus, hypervisor, kernel);
    }

    String describe() {
        return cpu + ", " + cpus + (cpus == 1 ? " CPU" : " CPUs") + (virtualised ? " (virtual machine)" : "") + ", "
                + kernel;
    }
}
