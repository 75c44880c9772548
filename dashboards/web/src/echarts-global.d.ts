// ECharts is loaded by index.html from the package's own build (/vendor/echarts.min.js) as a global.
declare const echarts: typeof import('echarts');
