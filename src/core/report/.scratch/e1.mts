import * as echarts from 'echarts';
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';
const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4AWP4z8DAwMDAwMDAwMDAwAAAHgAE/7k+JgAAAABJRU5ErkJggg==';
function chart(n:number){
const c = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 300, height: 200 });
c.setOption({ animation:false, grid:{left:40,top:10,width:200,height:150}, xAxis:{type:'value',min:0,max:10}, yAxis:{type:'value',min:0,max:8,inverse:true},
 graphic:[{type:'image', left:40, top:10, z:-1, style:{image:png, width:200, height:150}}, {type:'rect', shape:{x:260,y:10,width:15,height:150}, style:{fill:new echarts.graphic.LinearGradient(0,1,0,0,[{offset:0,color:'#00f'},{offset:1,color:'#f00'}])}}],
 series:[{type:'lines', coordinateSystem:'cartesian2d', polyline:false, symbol:['none','arrow'], symbolSize:6, lineStyle:{color:'#fff',width:1}, data:[{coords:[[1,1],[3,2]]},{coords:[[5,5],[6,7]]}]}]});
const s = c.renderToSVGString(); c.dispose(); return s;}
const a = chart(1), b= chart(2);
console.log(a.slice(0,1500));
console.log((a.match(/id="[^"]+"/g)), (b.match(/id="[^"]+"/g)));
const html = `<html><body><h1><a href="#s1">go s1</a> <a href="#s2">go s2</a></h1>${a}<div style="page-break-before:always"><h2 id="s1">Section one</h2>${b}</div><div style="page-break-before:always"></div><div style="page-break-before:always"><h2 id="s2">Section two</h2></div></body></html>`;
writeFileSync('/tmp/rep/e1.html', html);
const br = await chromium.launch({executablePath:'/usr/bin/chromium', args:['--no-sandbox','--disable-gpu']});
const p = await br.newPage(); await p.setContent(html); await p.pdf({path:'/tmp/rep/e1.pdf', format:'A4', displayHeaderFooter:true, footerTemplate:'<div style="font-size:8px;width:100%;text-align:center"><span class="pageNumber"></span> / <span class="totalPages"></span></div>', headerTemplate:'<span></span>', margin:{top:'15mm',bottom:'15mm',left:'15mm',right:'15mm'}, printBackground:true});
await br.close();
