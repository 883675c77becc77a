import RasterIO
