package io.pseudolabel.onnx;

/** A model directory or graph that matches no contract we know; the message names the file. */
public class ModelContractException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelContractException(String message) {
        super(message);
    }

    public ModelContractException(String message, Throwable cause) {
        super(message, cause);
    }
}
